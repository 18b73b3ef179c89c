using System.Diagnostics;
using System.Net;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// Serves AXFR and IXFR requests that arrive on a TCP connection (RFC 5936, RFC 1995). Only clients on
/// <c>Collector:Dns:Transfer:Allow</c> get a zone; others get REFUSED. An AXFR streams a <see cref="ZoneSnapshot"/>
/// (an immutable copy, so ingest and queries go on) through the connection's own response buffer
/// (<see cref="ZoneTransferMessages"/>). An IXFR gets the single current SOA when the client's serial is not older,
/// the difference when the client holds a version this server sent (<see cref="ZoneHistory"/>), else the whole zone
/// (RFC 1995 §4). At most <c>Collector:Dns:Transfer:MaxConcurrent</c> transfers stream at once; a further request
/// waits for a slot up to the TCP idle timeout, then gets SERVFAIL.
/// </summary>
internal sealed class ZoneTransfers(DnsSettings settings, IDnsListing listing, TransferAllowList allow, DnsOptions options, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Transfer.MaxConcurrent, options.Transfer.MaxConcurrent);

    /// <summary>The versions secondaries were sent, for incremental IXFR.</summary>
    private readonly ZoneHistory _history = new();

    /// <summary>The last copy of each list, shared by transfers at its serial (the secondaries a NOTIFY wakes come together) while any holds it.</summary>
    private readonly WeakReference<ZoneSnapshot>?[] _recent = new WeakReference<ZoneSnapshot>?[Enum.GetValues<DnsList>().Length];

    /// <summary>The message size limit; 65535 but for tests.</summary>
    public int MessageLimit { get; init; } = DnsWire.MaxMessageSize;

    /// <summary>Transfers streaming now.</summary>
    public int Running => options.Transfer.MaxConcurrent - _slots.CurrentCount;

    /// <summary>Answers one request.</summary>
    /// <param name="message">Where each message is written (the connection's response buffer, after the length prefix).</param>
    /// <param name="send">Sends the first n bytes of <paramref name="message"/> as one framed message.</param>
    public async Task ServeAsync(ReadOnlyMemory<byte> query, TransferRequestKind kind, TransferRequest request, EndPoint? remote,
        Memory<byte> message, Func<int, ValueTask> send, CancellationToken stopping)
    {
        var kindName = request.QType == DnsWire.TypeIxfr ? "IXFR" : "AXFR";
        var zone = FindZone(request.Name(query.Span));
        var zoneName = zone is null ? DnsName.ToText(request.Name(query.Span)) : DnsName.ToText(zone.Apex);
        if (zone is null || request.QClass(query.Span) != DnsWire.ClassIn)
        {
            logger.DnsTransferRefused(kindName, zoneName, remote, "not a zone served here");
            await send(Error(query.Span, request, message.Span, DnsRcode.Refused));
            return;
        }

        if (kind == TransferRequestKind.Malformed)
        {
            await send(Error(query.Span, request, message.Span, DnsRcode.FormErr));
            return;
        }

        if (remote is not IPEndPoint client || !allow.Allows(client.Address))
        {
            logger.DnsTransferRefused(kindName, zoneName, remote, "not in Collector:Dns:Transfer:Allow");
            await send(Error(query.Span, request, message.Span, DnsRcode.Refused));
            return;
        }

        if (!await _slots.WaitAsync(options.TcpIdleTimeout, stopping))
        {
            logger.DnsTransferBusy(kindName, zoneName, remote, options.Transfer.MaxConcurrent);
            await send(Error(query.Span, request, message.Span, DnsRcode.ServFail));
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        ZoneTransferMessages? messages = null;
        try
        {
            var current = ZoneSource.Index(listing, zone.List);
            var serial = current.Serial;
            var form = "whole zone";
            if (kind == TransferRequestKind.Ixfr && !SerialNumber.IsBefore(request.ClientSerial!.Value, serial))
            {
                logger.DnsTransferUpToDate(zoneName, remote, request.ClientSerial!.Value, serial);
                messages = ZoneTransferMessages.SoaOnly(settings, zone, serial);
                form = "";
            }
            else if (kind == TransferRequestKind.Ixfr
                && _history.TryDiff(zone.List, request.ClientSerial!.Value, current, ZoneSource.Ipv6Prefix(listing), out var removed, out var added))
            {
                messages = ZoneTransferMessages.Incremental(settings, zone, request.ClientSerial!.Value, serial, removed, added);
                form = $"changes from serial {request.ClientSerial!.Value}: {removed.Count} entries removed, {added.Count} added";
            }
            else
            {
                // Copying a large list is a second or so of CPU: on its own thread, so the thread pool stays free for
                // the other connections' queries (on 2 cores a pool thread held that long delayed them by as much).
                var snapshot = await Task.Factory.StartNew(() => Capture(zone.List, current), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                messages = new ZoneTransferMessages(settings, zone, snapshot);
            }

            var question = query[DnsWire.HeaderLength..request.QuestionEnd];
            while (true)
            {
                var length = messages.Next(message.Span, MessageLimit, question.Span, request.Id, request.Flags);
                if (length == 0)
                {
                    break;
                }

                await send(length);
            }

            _history.Served(zone.List, current);
            if (form.Length > 0)
            {
                logger.DnsTransferDone(kindName, zoneName, serial, remote, form, messages.Records, messages.Messages, stopwatch.ElapsedMilliseconds);
            }
        }
        catch (Exception ex)
        {
            logger.DnsTransferAborted(kindName, zoneName, remote, messages?.Records ?? 0, ex.Message);
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>The list's content now: the copy another transfer holds when the serial is the same (a serial names one content), else a new one.</summary>
    internal ZoneSnapshot Capture(DnsList list) => Capture(list, ZoneSource.Index(listing, list));

    private ZoneSnapshot Capture(DnsList list, ListingIndex index)
    {
        if (Volatile.Read(ref _recent[(int)list]) is { } recent && recent.TryGetTarget(out var shared) && shared.Serial == index.Serial)
        {
            return shared;
        }

        var snapshot = ZoneSnapshot.Capture(index, list, ZoneSource.Ipv6Prefix(listing));
        Volatile.Write(ref _recent[(int)list], new WeakReference<ZoneSnapshot>(snapshot));
        return snapshot;
    }

    private DnsZone? FindZone(ReadOnlySpan<byte> name)
    {
        foreach (var zone in settings.Zones)
        {
            // Length bytes are below 64, so an ASCII case-insensitive comparison of the wire forms compares the labels.
            if (System.Text.Ascii.EqualsIgnoreCase(name, zone.Apex))
            {
                return zone;
            }
        }

        return null;
    }

    private static int Error(ReadOnlySpan<byte> query, TransferRequest request, Span<byte> message, DnsRcode rcode)
    {
        var w = new TransferMessageWriter(message, DnsWire.MaxMessageSize, []);
        w.WriteQuestion(query[DnsWire.HeaderLength..request.QuestionEnd]);
        return w.Finish(request.Id, (byte)(DnsWire.FlagQr | (request.Flags & DnsWire.FlagRd)), rcode, hasQuestion: true);
    }
}
