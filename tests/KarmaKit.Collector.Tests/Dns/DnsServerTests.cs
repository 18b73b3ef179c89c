using System.Buffers.Binary;
using System.Net.Sockets;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static KarmaKit.Collector.Tests.Dns.DnsPackets;

namespace KarmaKit.Collector.Tests.Dns;

/// <summary>The UDP and TCP servers on real loopback sockets, inside the collector host.</summary>
public class DnsServerTests : TempDirectory
{
    [Fact]
    public async Task Udp_ListedQuery_Answered()
    {
        await using var server = await DnsTestServer.StartAsync(Dir);
        using var udp = new UdpClient();
        udp.Connect(server.EndPoint!);

        await udp.SendAsync(Query("2.0.0.127.bl.karmakit.test", A, id: 42));
        var answer = DnsAnswer.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);

        Assert.Equal((42, "127.0.0.2"), ((int)answer.Id, Assert.Single(answer.Answers).Text));
    }

    [Fact]
    public async Task Udp_GarbageThenQuery_StillServing()
    {
        await using var server = await DnsTestServer.StartAsync(Dir);
        using var udp = new UdpClient();
        udp.Connect(server.EndPoint!);

        await udp.SendAsync(new byte[] { 1, 2, 3 });
        await udp.SendAsync(new byte[2000]);
        await udp.SendAsync(Query("1.0.0.127.bl.karmakit.test", A, id: 43));
        DnsAnswer answer;
        do
        {
            answer = DnsAnswer.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);
        }
        while (answer.Id != 43);

        Assert.Equal(3, answer.Rcode);
    }

    [Fact]
    public async Task Tcp_SeveralQueriesOnOneConnection_AnsweredInOrder()
    {
        await using var server = await DnsTestServer.StartAsync(Dir);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint!);
        var stream = tcp.GetStream();

        // All three in one write: pipelined, as RFC 7766 allows.
        await stream.WriteAsync(Frame(Query("2.0.0.127.bl.karmakit.test", A, id: 1), Query("2.0.0.127.bl.karmakit.test", Txt, id: 2), Query("bl.karmakit.test", Soa, id: 3)));
        var answers = new[] { await ReadFrameAsync(stream), await ReadFrameAsync(stream), await ReadFrameAsync(stream) };

        Assert.Equal([1, 2, 3], answers.Select(a => (int)a!.Id));
        Assert.Equal([A, Txt, Soa], answers.Select(a => Assert.Single(a!.Answers).Type));
    }

    [Fact]
    public async Task Tcp_ShortFrame_ConnectionClosed()
    {
        await using var server = await DnsTestServer.StartAsync(Dir);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint!);
        var stream = tcp.GetStream();

        await stream.WriteAsync(new byte[] { 0, 3, 1, 2, 3 });

        Assert.Null(await ReadFrameAsync(stream));
    }

    [Fact]
    public async Task Tcp_IdleLongerThanTheTimeout_ConnectionClosed()
    {
        var time = new FakeTimeProvider();
        await using var server = await DnsTestServer.StartAsync(Dir, time, "--Collector:Dns:TcpIdleTimeout=00:00:05");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint!);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Frame(Query("2.0.0.127.bl.karmakit.test", A)));
        Assert.NotNull(await ReadFrameAsync(stream));

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Null(await ReadFrameAsync(stream));
    }

    [Fact]
    public async Task Tcp_OverTheConnectionCap_ClosedAtAccept()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, "--Collector:Dns:TcpMaxConnections=1");
        using var first = new TcpClient();
        await first.ConnectAsync(server.EndPoint!);
        await first.GetStream().WriteAsync(Frame(Query("2.0.0.127.bl.karmakit.test", A)));
        Assert.NotNull(await ReadFrameAsync(first.GetStream()));

        using var second = new TcpClient();
        await second.ConnectAsync(server.EndPoint!);
        await second.GetStream().WriteAsync(Frame(Query("2.0.0.127.bl.karmakit.test", A)));

        Assert.Null(await ReadFrameAsync(second.GetStream()));
    }

    [Fact]
    public async Task Start_ListenEmpty_NoDnsServer()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, "--Collector:Dns:Listen=");

        Assert.Null(server.EndPoint!);
    }

    [Fact]
    public async Task Start_PortTaken_FailsWithTheSocketError()
    {
        using var taken = new UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)taken.Client.LocalEndPoint!).Port;

        var error = await Assert.ThrowsAsync<SocketException>(() => DnsTestServer.StartAsync(Dir, null, $"--Collector:Dns:Listen=127.0.0.1:{port}"));

        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    private static byte[] Frame(params byte[][] messages)
    {
        var bytes = new List<byte>();
        foreach (var message in messages)
        {
            bytes.AddRange([(byte)(message.Length >> 8), (byte)message.Length]);
            bytes.AddRange(message);
        }

        return [.. bytes];
    }

    /// <summary>The next framed answer, or null when the server closed the connection.</summary>
    private static async Task<DnsAnswer?> ReadFrameAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var header = new byte[2];
        try
        {
            if (await stream.ReadAtLeastAsync(header, 2, throwOnEndOfStream: false, timeout.Token) < 2)
            {
                return null;
            }
        }
        catch (IOException)
        {
            return null;
        }

        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(body, timeout.Token);
        return DnsAnswer.Parse(body);
    }
}
