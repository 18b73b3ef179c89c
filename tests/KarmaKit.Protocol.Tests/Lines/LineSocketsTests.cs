using System.Net;
using System.Net.Sockets;
using System.Text;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Protocol.Tests.Lines;

/// <summary>Real loopback sockets (Linux, as CI): the corked reply still reaches the caller, whole, with its EOF.</summary>
public sealed class LineSocketsTests
{
    private const int IpProtoTcp = 6;
    private const int TcpCork = 3;

    [Fact]
    public async Task CorkReplies_AcceptedConnectionInheritsCork_ReplyArrivesWithEofAtShutdown()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        LineSockets.CorkReplies(listener);
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, timeout.Token);
        using var accepted = await listener.AcceptAsync(timeout.Token);

        Assert.Equal(1, CorkOf(accepted));
        await accepted.SendAsync("ok 1\n"u8.ToArray(), SocketFlags.None, timeout.Token);
        accepted.Shutdown(SocketShutdown.Send);
        Assert.Equal("ok 1\n", await ReadToEofAsync(client, timeout.Token));
    }

    private static int CorkOf(Socket socket)
    {
        var value = new byte[4];
        socket.GetRawSocketOption(IpProtoTcp, TcpCork, value);
        return BitConverter.ToInt32(value);
    }

    private static async Task<string> ReadToEofAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64];
        var text = new StringBuilder();
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
