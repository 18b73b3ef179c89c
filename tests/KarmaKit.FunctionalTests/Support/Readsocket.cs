using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>A client that does what Exim's ${readsocket} does: connect, one write, half-close, read to EOF.</summary>
internal static class Readsocket
{
    public static async Task<string> CallAsync(EndPoint endPoint, string request, CancellationToken cancellationToken = default)
    {
        using var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cancellationToken);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
        var reply = new MemoryStream();
        var buffer = new byte[1024];
        int got;
        while ((got = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
        {
            reply.Write(buffer, 0, got);
        }

        return Encoding.UTF8.GetString(reply.ToArray());
    }

    public static IPEndPoint FreeLoopbackEndPoint()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }
}

/// <summary>
/// A loopback TCP port that refuses every connection for as long as this lives: bound but never listening, so no
/// other test or program can take the port meanwhile (a "free" port that is merely unused could be).
/// </summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>The readsocket name: <c>inet:127.0.0.1:PORT</c>.</summary>
    public string ReadsocketName => $"inet:127.0.0.1:{Port}";

    public void Dispose() => _socket.Dispose();
}
