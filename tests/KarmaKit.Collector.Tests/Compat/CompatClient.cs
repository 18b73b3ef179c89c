using System.Net;
using System.Net.Sockets;
using System.Text;
using KarmaKit.Collector.Compat;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KarmaKit.Collector.Tests.Compat;

/// <summary>A client of the compatibility wire doing what Exim's readsocket does: connect, one write, (half-close), read to EOF.</summary>
internal static class CompatClient
{
    public static IPEndPoint EndPoint(TestCollector collector) => collector.Services.GetRequiredService<CompatListener>().EndPoint!;

    /// <summary>Sends <paramref name="request"/> from <paramref name="source"/> (default 127.0.0.1) and returns everything until the server closes.</summary>
    public static async Task<string> SendAsync(IPEndPoint server, string request, IPAddress? source = null, bool halfClose = true)
    {
        using var socket = await ConnectAsync(server, source);
        return await SendAsync(socket, Encoding.UTF8.GetBytes(request), halfClose);
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint server, IPAddress? source = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
        await socket.ConnectAsync(server);
        return socket;
    }

    public static async Task<string> SendAsync(Socket socket, byte[] request, bool halfClose = true)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not a timing assert
        try
        {
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
            if (halfClose)
            {
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (SocketException)
        {
            // The server may close before reading all of it (a refused source); read what it said.
        }

        return await ReadToEndAsync(socket, timeout.Token);
    }

    public static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        var reply = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int got;
            while ((got = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                reply.Write(buffer, 0, got);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A close without reading resets; what arrived before counts.
        }

        return Encoding.UTF8.GetString(reply.ToArray());
    }
}
