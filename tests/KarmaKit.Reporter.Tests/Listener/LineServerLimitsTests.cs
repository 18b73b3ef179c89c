using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>Every limit ends in an error reply or a clean close, never a crash or a hang.</summary>
public abstract class LineServerLimitsTests : ListenerPathTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_LineOverLimit_ErrorTooLongNothingSpooled(bool shutdown)
    {
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromSeconds(30));
        var request = Encoding.ASCII.GetBytes("black 192.0.2.1\nblack 192.0.2.2 " + new string('x', 2000) + "\n");

        var (reply, elapsed) = await ReadsocketClient.TimedExchangeAsync(sut.Tcp, request, shutdown);

        Assert.Equal("error too-long line longer than 1024 bytes\n", reply);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
        Assert.Equal(0, sut.Spool.Appends);
    }

    [Fact]
    public async Task Request_LineExactlyAtLimitWithCrlf_Accepted()
    {
        await using var sut = await StartAsync(o => o.Listener.MaxLineBytes = 64);
        var line = "black 192.0.2.1 ";
        line += new string('r', 64 - line.Length);

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, line + "\r\n");
        var over = await ReadsocketClient.ExchangeAsync(sut.Tcp, line + "r\r\n");

        Assert.Equal("ok 1\n", reply);
        Assert.Equal("error too-long line longer than 64 bytes\n", over);
    }

    [Fact]
    public async Task Request_PartialLineOverLimitWithoutLf_RefusedWithoutWaitingForTheRest()
    {
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromSeconds(30));
        using var client = await ReadsocketClient.ConnectAsync(sut.Tcp);

        await client.SendAsync(Encoding.ASCII.GetBytes("black 192.0.2.1 " + new string('x', 1100)), SocketFlags.None);
        var reply = await ReadsocketClient.ReadToEndAsync(client);

        Assert.Equal("error too-long line longer than 1024 bytes\n", reply);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_MoreLinesThanLimit_ErrorTooManyLines(bool shutdown)
    {
        await using var sut = await StartAsync(o => o.Listener.MaxLinesPerRequest = 3);
        var request = string.Concat(Enumerable.Range(1, 4).Select(i => $"black 192.0.2.{i}\n"));

        var (reply, _) = await ReadsocketClient.TimedExchangeAsync(sut.Tcp, Encoding.ASCII.GetBytes(request), shutdown);
        var atLimit = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\nblack 192.0.2.2\nblack 192.0.2.3");

        Assert.Equal("error too-many-lines more than 3 lines in one request\n", reply);
        Assert.Equal("ok 1\nok 2\nok 3\n", atLimit);
    }

    [Fact]
    public async Task Request_FillingTheFirstReadBufferExactlyWithoutEof_AnsweredAtOnce()
    {
        // 4,096 bytes ending at a line end and no EOF (shutdown=no): the direct path's buffer is full, nothing is pending.
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromSeconds(30));
        var request = string.Concat(Enumerable.Range(1, 4).Select(i => LongLine(i, 1022) + "\r\n"));
        Assert.Equal(4096, request.Length);

        var (reply, elapsed) = await ReadsocketClient.TimedExchangeAsync(sut.Tcp, Encoding.ASCII.GetBytes(request), shutdown: false);

        Assert.Matches("^(error reason [ -~]+\n){4}$", reply);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
    }

    [Fact]
    public async Task Request_ExactlyTheLargestAllowed_AnsweredLineByLine()
    {
        await using var sut = await StartAsync(o => o.Listener.MaxLinesPerRequest = 2);
        var request = string.Concat(Enumerable.Range(1, 2).Select(i => LongLine(i, 1024) + "\r\n")); // 2 x (1024 + CR LF)

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, request);

        Assert.Matches("^(error reason [ -~]+\n){2}$", reply);
    }

    [Fact]
    public async Task Request_ReplyLargerThanTheSendBuffer_SentWhole()
    {
        var logger = new ListLogger();
        await using var sut = await StartAsync(o => { o.Listener.MaxLinesPerRequest = 2000; o.Listener.ClientTimeout = TimeSpan.FromSeconds(30); }, logger);
        sut.Server.TcpSocket!.SendBufferSize = 4096; // inherited by accepted connections, and no autotuning then

        // 4,000 bytes (one read on the direct path) that earn 2,000 error lines: over 100 KB of reply.
        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, string.Concat(Enumerable.Repeat("x\n", 2000)));

        var lines = reply.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        Assert.All(lines, line => Assert.Equal("error syntax unknown verb (expected black or white)", line));
        Assert.Equal(Direct ? 1 : 0, logger.Entries.Count(e => e.EventId == 1022)); // the direct path finished it on the socket path
    }

    [Fact]
    public async Task Request_SlowClient_CutOffAfterClientTimeout()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = timeout);
        using var client = await ReadsocketClient.ConnectAsync(sut.Tcp);
        var clock = Stopwatch.StartNew();

        await client.SendAsync("black 192.0.2."u8.ToArray(), SocketFlags.None);
        var reply = await ReadsocketClient.ReadToEndAsync(client);

        Assert.Equal("error timeout no complete request in time\n", reply);
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5));
        Assert.Equal(0, sut.Spool.Appends);
    }

    [Fact]
    public async Task Request_SilentClient_CutOffAfterClientTimeout()
    {
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromMilliseconds(200));
        using var client = await ReadsocketClient.ConnectAsync(sut.Tcp);

        var reply = await ReadsocketClient.ReadToEndAsync(client);

        Assert.Equal("error timeout no complete request in time\n", reply);
    }

    [Fact]
    public async Task Connect_OverMaxConnections_ErrorBusyAtOnceThenServedAgain()
    {
        await using var sut = await StartAsync(o =>
        {
            o.Listener.MaxConnections = 2;
            o.Listener.ClientTimeout = TimeSpan.FromSeconds(30);
        });
        using var first = await ReadsocketClient.ConnectAsync(sut.Tcp);
        using var second = await ReadsocketClient.ConnectAsync(sut.Tcp);
        await TestWait.UntilAsync(() => sut.Server.ActiveConnections == 2);

        var (busy, elapsed) = await ReadsocketClient.TimedExchangeAsync(sut.Tcp, "black 192.0.2.1\n"u8.ToArray());

        Assert.Equal("error busy too many connections\n", busy);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"took {elapsed}");

        await first.SendAsync("black 192.0.2.7\n"u8.ToArray(), SocketFlags.None);
        first.Shutdown(SocketShutdown.Send);
        Assert.Equal("ok 1\n", await ReadsocketClient.ReadToEndAsync(first));
        await TestWait.UntilAsync(() => sut.Server.ActiveConnections == 1);
        Assert.Equal("ok 2\n", await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.8\n"));
    }

    [Fact]
    public async Task Request_GarbageAndBinary_NeverCrashes()
    {
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromSeconds(2));
        var random = new Random(4444);
        List<byte[]> inputs =
        [
            [0, 0, 0, 0, (byte)'\n'],
            [0xFF, 0xFE, 0xC3, 0x28, (byte)'\n'],
            [.. "black 192.0.2.1 "u8, 0xC3, 0x28, (byte)'\n'],
            "black 192.0.2.1 tab\there\n"u8.ToArray(),
            "black 192.0.2.1\0\n"u8.ToArray(),
            "\r\r\r\n\n\r"u8.ToArray(),
            "white ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n"u8.ToArray(),
            "black 999.1.1.1\n"u8.ToArray(),
            "black 1.2.3.4 "u8.ToArray().Concat(Enumerable.Repeat((byte)'a', 300)).Append((byte)'\n').ToArray(),
            new byte[60_000],
        ];
        for (var i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(1, 3000)];
            random.NextBytes(bytes);
            inputs.Add(bytes);
        }

        foreach (var input in inputs)
        {
            var (reply, _) = await ReadsocketClient.TimedExchangeAsync(sut.Tcp, input);
            Assert.Matches("^((ok [0-9]+|error [a-z-]+ [ -~]+)\n)+$", reply);
        }

        Assert.Equal("ok " + (sut.Spool.Reports.Count + 1) + "\n", await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\n"));
        await TestWait.UntilAsync(() => sut.Server.ActiveConnections == 0); // counted out just after the close the client saw
    }

    /// <summary>A line of exactly <paramref name="length"/> bytes: a report whose reason is too long (refused, never spooled).</summary>
    private static string LongLine(int i, int length)
    {
        var start = $"black 192.0.2.{i} ";
        return start + new string('r', length - start.Length);
    }
}

public sealed class LineServerLimitsTestsDirect : LineServerLimitsTests
{
    protected override bool Direct => true;
}

public sealed class LineServerLimitsTestsSockets : LineServerLimitsTests
{
    protected override bool Direct => false;
}
