using System.Net;
using System.Net.Sockets;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// The UDP side: one socket and N dedicated threads, each in a blocking <c>recvfrom</c>/<c>sendto</c> loop with its own
/// buffers and its own <see cref="SocketAddress"/>, so a query costs two system calls and no allocation (the kernel
/// hands each datagram to one waiting thread). The threads stop when the socket is disposed; a receive timeout wakes
/// them in any case, so a stop never hangs. ICMP-caused errors (a client gone away) are ignored.
/// </summary>
internal sealed class UdpDnsServer : IDisposable
{
    private static readonly TimeSpan WakeUp = TimeSpan.FromMilliseconds(500);

    private readonly Socket _socket;
    private readonly DnsResponder _responder;
    private readonly ILogger _logger;
    private readonly Thread[] _threads;
    private volatile bool _stopping;

    public UdpDnsServer(IPEndPoint endpoint, DnsResponder responder, int receivers, ILogger logger)
    {
        _responder = responder;
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            _socket.ReceiveBufferSize = 4 << 20;
            _socket.ReceiveTimeout = (int)WakeUp.TotalMilliseconds;
            _socket.Bind(endpoint);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _threads = new Thread[receivers];
    }

    public IPEndPoint LocalEndPoint { get; }

    public int Receivers => _threads.Length;

    public void Start()
    {
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(ReceiveLoop) { IsBackground = true, Name = $"dns-udp-{i}" };
            _threads[i].Start();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        foreach (var thread in _threads)
        {
            thread?.Join(WakeUp * 4);
        }
    }

    private void ReceiveLoop()
    {
        var query = GC.AllocateUninitializedArray<byte>(DnsWire.MaxMessageSize, pinned: true);
        var response = GC.AllocateUninitializedArray<byte>(DnsWire.MaxMessageSize, pinned: true);
        var peer = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(query, SocketFlags.None, peer);
            }
            catch (SocketException ex) when (!_stopping && IsTransient(ex.SocketErrorCode))
            {
                continue;
            }
            catch (SocketException ex) when (!_stopping)
            {
                _logger.DnsUdpError(ex.SocketErrorCode);
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            int length;
            try
            {
                length = _responder.Respond(query.AsSpan(0, received), response, tcp: false);
            }
            catch (Exception ex)
            {
                // Not expected (the responder is total); log and keep serving rather than lose a receive thread.
                _logger.DnsResponderFailed(ex, received, "udp");
                continue;
            }

            if (length == 0)
            {
                continue;
            }

            try
            {
                _socket.SendTo(response.AsSpan(0, length), SocketFlags.None, peer);
            }
            catch (SocketException ex) when (!_stopping && !IsTransient(ex.SocketErrorCode))
            {
                _logger.DnsUdpError(ex.SocketErrorCode);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // A vanished client, a full send buffer, or the socket closing: the datagram is lost, as UDP allows.
            }
        }
    }

    /// <summary>Timeouts (the wake-up) and the ICMP echoes of earlier sends: nothing to report.</summary>
    private static bool IsTransient(SocketError error) => error is SocketError.TimedOut or SocketError.WouldBlock
        or SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.HostUnreachable
        or SocketError.NetworkUnreachable or SocketError.MessageSize or SocketError.NoBufferSpaceAvailable
        or SocketError.Interrupted;
}
