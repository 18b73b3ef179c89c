using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>A client that behaves like Exim's <c>${readsocket}</c>: connect, one write, optional SHUT_WR, read to EOF.</summary>
internal static class ReadsocketClient
{
    /// <summary>Upper bound for any test exchange, far above every expected time, so a bug fails instead of hanging.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    public static async Task<string> ExchangeAsync(EndPoint endPoint, string request, bool shutdown = true) =>
        (await TimedExchangeAsync(endPoint, Encoding.UTF8.GetBytes(request), shutdown)).Reply;

    public static async Task<(string Reply, TimeSpan Elapsed)> TimedExchangeAsync(EndPoint endPoint, byte[] request, bool shutdown = true)
    {
        using var socket = await ConnectAsync(endPoint);
        var clock = Stopwatch.StartNew();
        if (request.Length > 0)
        {
            await socket.SendAsync(request, SocketFlags.None);
        }

        if (shutdown)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var reply = await ReadToEndAsync(socket);
        return (reply, clock.Elapsed);
    }

    public static async Task<Socket> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    /// <summary>Reads until the server closes; fails the test if that takes longer than <see cref="Guard"/>.</summary>
    public static async Task<string> ReadToEndAsync(Socket socket)
    {
        using var guard = new CancellationTokenSource(Guard);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
            if (read == 0)
            {
                return Encoding.UTF8.GetString(received.ToArray());
            }

            received.Write(buffer, 0, read);
        }
    }
}
