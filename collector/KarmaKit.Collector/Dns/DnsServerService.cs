using System.Net;
using System.Net.Sockets;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns.Transfer;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// The hosted DNS server on <c>Collector:Dns:Listen</c>: UDP and TCP on the same address and port. Port 0 (tests)
/// takes a free UDP port and then the same TCP port, retrying a few times when another process holds it. A bind
/// failure stops the collector's start with the socket error. Zone transfers are served on the TCP side; NOTIFYs go
/// to <c>Collector:Dns:Notify</c> from the listening address.
/// </summary>
internal sealed class DnsServerService(CollectorOptions options, IDnsListing listing, TimeProvider time, ILogger<DnsServerService> logger) : IHostedService, IAsyncDisposable
{
    private UdpDnsServer? _udp;
    private TcpDnsServer? _tcp;
    private ZoneNotifier? _notifier;
    private ZoneTransfers? _transfers;

    /// <summary>The bound address and port, once started.</summary>
    public IPEndPoint? LocalEndPoint => _udp?.LocalEndPoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var dns = options.Dns;
        if (dns.Listen.Length == 0)
        {
            logger.DnsDisabled();
            return Task.CompletedTask;
        }

        if (!DnsOptionsValidator.TryParseListen(dns.Listen, out var endpoint))
        {
            throw new InvalidOperationException($"Collector:Dns:Listen '{dns.Listen}' is not valid");
        }

        var settings = DnsSettings.Create(dns);
        var responder = new DnsResponder(settings, listing);
        var allow = TransferAllowList.TryParse(dns.Transfer.Allow, out var parsed, out _) ? parsed
            : throw new InvalidOperationException($"Collector:Dns:Transfer:Allow '{dns.Transfer.Allow}' is not valid");
        var transfers = _transfers = new ZoneTransfers(settings, listing, allow, dns, logger);
        var receivers = dns.UdpReceivers > 0 ? dns.UdpReceivers : Environment.ProcessorCount;
        for (var attempt = 1; ; attempt++)
        {
            var udp = new UdpDnsServer(endpoint, responder, receivers, logger);
            try
            {
                _tcp = new TcpDnsServer(udp.LocalEndPoint, responder, transfers, dns, time, logger);
                _udp = udp;
                break;
            }
            catch (SocketException ex) when (endpoint.Port == 0 && ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 10)
            {
                udp.Dispose();
            }
            catch
            {
                udp.Dispose();
                throw;
            }
        }

        _udp.Start();
        _tcp.Start();
        var zones = string.Join(", ", settings.Zones.Select(z => DnsName.ToText(z.Apex)));
        logger.DnsListening(zones, _udp.LocalEndPoint, _udp.Receivers);
        if (NotifyTargets.TryParse(dns.Notify, out var secondaries, out _) && secondaries.Length > 0)
        {
            var address = _udp.LocalEndPoint.Address;
            var source = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? null : address;
            _notifier = new ZoneNotifier(settings, listing, secondaries, source, dns.NotifyInterval, time, logger);
            _notifier.Start();
            logger.DnsNotifying(string.Join(", ", secondaries.Select(s => s.ToString())), zones, dns.NotifyInterval);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_notifier is not null)
        {
            await _notifier.DisposeAsync();
            _notifier = null;
        }

        _udp?.Dispose();
        _udp = null;
        if (_tcp is not null)
        {
            await _tcp.DisposeAsync();
            _tcp = null;
        }

        _transfers?.Dispose();
        _transfers = null;
    }
}
