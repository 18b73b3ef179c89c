using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using KarmaKit.Collector.Dns.Transfer;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// The TCP side (RFC 7766): 2-byte length framing, any number of queries per connection answered in order, an idle
/// timeout reset by every query, and a cap on open connections (over it, a connection is closed at accept). A
/// malformed frame (shorter than a header) closes the connection; nothing thrown crosses the connection boundary.
/// AXFR and IXFR requests go to <see cref="ZoneTransfers"/>, which streams the zone on this connection; the idle
/// timeout then bounds each message's write, so a secondary that stops reading is dropped.
/// </summary>
internal sealed class TcpDnsServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly DnsResponder _responder;
    private readonly ZoneTransfers _transfers;
    private readonly DnsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _connections;

    public TcpDnsServer(IPEndPoint endpoint, DnsResponder responder, ZoneTransfers transfers, DnsOptions options, TimeProvider time, ILogger logger)
    {
        _responder = responder;
        _transfers = transfers;
        _options = options;
        _time = time;
        _logger = logger;
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                _listener.DualMode = true;
            }

            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(endpoint);
            _listener.Listen(1024);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
    }

    /// <summary>Open connections.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Start() => _acceptLoop = AcceptLoopAsync(_stopping.Token);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stopping);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors or a connection reset before accept: back off a little and go on.
                _logger.DnsTcpAcceptError(ex.SocketErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None);
                continue;
            }

            var open = Interlocked.Increment(ref _connections);
            if (open > _options.TcpMaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                _logger.DnsTcpRejected(client.RemoteEndPoint, open - 1);
                client.Dispose();
                continue;
            }

            _ = ServeAsync(client, stopping);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        var remote = client.RemoteEndPoint;
        var buffer = ArrayPool<byte>.Shared.Rent(2 + DnsWire.MaxMessageSize);
        var response = ArrayPool<byte>.Shared.Rent(2 + DnsWire.MaxMessageSize);
        var queries = 0;
        var reason = "closed by the client";
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        await using var linked = stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), idle);
        try
        {
            client.NoDelay = true;
            using var stream = new NetworkStream(client, ownsSocket: true);
            while (true)
            {
                idle.CancelAfter(_options.TcpIdleTimeout);
                if (await stream.ReadAtLeastAsync(buffer.AsMemory(0, 2), 2, throwOnEndOfStream: false, idle.Token) < 2)
                {
                    break;
                }

                var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
                if (length < DnsWire.HeaderLength)
                {
                    reason = $"a {length}-byte frame";
                    break;
                }

                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), idle.Token);
                queries++;
                var kind = TransferRequest.Read(buffer.AsSpan(0, length), out var request);
                if (kind != TransferRequestKind.None)
                {
                    idle.CancelAfter(Timeout.InfiniteTimeSpan); // each message's write sets its own timeout
                    await _transfers.ServeAsync(buffer.AsMemory(0, length), kind, request, remote, response.AsMemory(2, DnsWire.MaxMessageSize), async n =>
                    {
                        idle.CancelAfter(_options.TcpIdleTimeout);
                        BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)n);
                        await stream.WriteAsync(response.AsMemory(0, 2 + n), idle.Token);
                    }, idle.Token);
                    continue;
                }

                var answer = Respond(buffer, length, response);
                if (answer > 0)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)answer);
                    await stream.WriteAsync(response.AsMemory(0, 2 + answer), idle.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = stopping.IsCancellationRequested ? "server stopping" : "idle timeout";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            reason = ex.Message;
        }
        finally
        {
            client.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(response);
            Interlocked.Decrement(ref _connections);
            _logger.DnsTcpClosed(remote, queries, reason);
        }
    }

    private int Respond(byte[] query, int length, byte[] response)
    {
        try
        {
            return _responder.Respond(query.AsSpan(0, length), response.AsSpan(2, DnsWire.MaxMessageSize), tcp: true);
        }
        catch (Exception ex)
        {
            _logger.DnsResponderFailed(ex, length, "tcp");
            return 0;
        }
    }
}
