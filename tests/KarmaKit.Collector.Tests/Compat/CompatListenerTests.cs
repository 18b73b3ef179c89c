using System.Net;
using System.Text;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Compat;

/// <summary>The compatibility listener over real loopback sockets (127.0.0.0/8 gives a second source address, 127.0.0.2).</summary>
public sealed class CompatListenerTests : TempDirectory
{
    private const string Legacy = "legacy-mx3";
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.2");

    private Task<TestCollector> StartAsync(string allowed = "127.0.0.1", params string[] settings) =>
        StartAsync(TimeProvider.System, allowed, settings);

    private Task<TestCollector> StartAsync(TimeProvider time, string allowed, params string[] settings) =>
        TestCollector.StartAsync(Dir, time, ["--Collector:Compat:Tcp=127.0.0.1:0", $"--Collector:Compat:Sources:{Legacy}={allowed}", .. settings]);

    [Fact]
    public async Task Send_SeedLine_AnswersOkAndAppendsOnceWithTheMappedReporter()
    {
        await using var sut = await StartAsync();

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.77\n");

        Assert.Equal("ok\n", reply);
        var line = Assert.Single(sut.LogLines());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z legacy-mx3 black 192\.0\.2\.77 count=1 first=\S+Z last=\S+Z$", line);
        Assert.True(KarmaLogParser.TryParse(Encoding.UTF8.GetBytes(line), out var record));
        Assert.Null(record!.Batch);
    }

    [Fact]
    public async Task Send_WithoutHalfClose_AnswersAtTheLineEnd()
    {
        // Exim's shutdown=no: no EOF comes, so the line end with nothing more pending completes the request.
        await using var sut = await StartAsync();

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "white 2001:0db8:0000:0000:0000:0000:0000:0001 known good\n", halfClose: false);

        Assert.Equal("ok\n", reply);
        Assert.Matches(@" legacy-mx3 white 2001:db8::1 count=1 first=\S+ last=\S+ reason=""known good""$", Assert.Single(sut.LogLines()));
    }

    [Fact]
    public async Task Send_SeveralLines_OneReplyEachInOrderOnlyValidOnesAppended()
    {
        await using var sut = await StartAsync();

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.1\r\n\ngrey 192.0.2.2\nblack not-an-ip\nblack 0.0.0.0\nwhite ::ffff:192.0.2.3 ok\tthen tab\nBLACK 192.0.2.4 last without LF");

        Assert.Equal(
            "ok\nerror syntax unknown verb (expected black or white)\nerror subject not an IPv4 or IPv6 address\n"
            + "error subject unspecified address\nerror syntax control character in line\nok\n",
            reply);
        var lines = sut.LogLines();
        Assert.Equal(2, lines.Length);
        Assert.Contains(" legacy-mx3 black 192.0.2.1 count=1 ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" reason=\"last without LF\"", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "error syntax empty request\n")]
    [InlineData("\n\r\n  \n", "error syntax empty request\n")]
    [InlineData("black\n", "error syntax missing subject\n")]
    [InlineData("black 192.0.2.1 reason with C1 \u0085 control\n", "error syntax control character in line\n")]
    [InlineData("black 192.0.2.1 \x01\n", "error syntax control character in line\n")]
    public async Task Send_Malformed_ErrorAndNothingAppended(string request, string expected)
    {
        await using var sut = await StartAsync();

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), request);

        Assert.Equal(expected, reply);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Send_InvalidUtf8Reason_ErrorAndNothingAppended()
    {
        await using var sut = await StartAsync();
        using var socket = await CompatClient.ConnectAsync(CompatClient.EndPoint(sut));

        var reply = await CompatClient.SendAsync(socket, [.. "black 192.0.2.1 bad "u8, 0xC3, 0x28, (byte)'\n']);

        Assert.Equal("error syntax invalid UTF-8\n", reply);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Send_LineOverTheLimit_TooLongAndNothingAppended()
    {
        await using var sut = await StartAsync();

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.1 " + new string('x', 5000) + "\nblack 192.0.2.2\n");

        Assert.Equal("error too-long line longer than 1024 bytes\n", reply);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Send_MoreLinesThanAllowed_TooManyLinesAndNothingAppended()
    {
        await using var sut = await StartAsync("127.0.0.1", "--Collector:Compat:MaxLinesPerConnection=2");

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.1\nblack 192.0.2.2\nblack 192.0.2.3\n");

        Assert.Equal("error too-many-lines more than 2 lines in one request\n", reply);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Send_ExactlyTheLimits_Accepted()
    {
        await using var sut = await StartAsync("127.0.0.1", "--Collector:Compat:MaxLinesPerConnection=2");
        var longest = "black 192.0.2.1 " + new string('r', 200);
        longest += new string(' ', 1024 - longest.Length); // 1024 bytes exactly: trailing blanks are trimmed from the reason

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), longest + "\r\nwhite 192.0.2.2\r\n");

        Assert.Equal("ok\nok\n", reply);
        Assert.Equal(2, sut.LogLines().Length);
    }

    [Fact]
    public async Task Connect_SourceNotAllowed_ClosedUnreadAndNothingAppended()
    {
        await using var sut = await StartAsync(allowed: "127.0.0.2");

        var reply = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.1\n");

        Assert.Equal("", reply);
        Assert.Empty(sut.LogLines());
        Assert.Equal(1, sut.Services.GetRequiredService<CollectorMetrics>().CompatSourcesRefused);
    }

    [Fact]
    public async Task Connect_FromTheMappedSecondAddress_TakenAsItsReporter()
    {
        await using var sut = await StartAsync("127.0.0.2/32", $"--Collector:Compat:Sources:other-mx=127.0.0.0/8");

        var fromOther = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.1\n", Other);
        var fromLoopback = await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.2\n");

        Assert.Equal(("ok\n", "ok\n"), (fromOther, fromLoopback));
        var lines = sut.LogLines();
        Assert.Contains(" legacy-mx3 black 192.0.2.1 ", lines[0], StringComparison.Ordinal);
        Assert.Contains(" other-mx black 192.0.2.2 ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_SlowClient_TimeoutAndNothingAppended()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sut = await StartAsync(time, "127.0.0.1", "--Collector:Compat:Timeout=00:00:05");
        using var socket = await CompatClient.ConnectAsync(CompatClient.EndPoint(sut));
        await socket.SendAsync("black 192.0.2."u8.ToArray());

        var reply = CompatClient.ReadToEndAsync(socket);
        for (var i = 0; i < 500 && !reply.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(6)); // the connection's deadline exists once it is served; advance until it fires
            await Task.WhenAny(reply, Task.Delay(10));
        }

        Assert.Equal("error timeout no complete request in time\n", await reply);
        Assert.Empty(sut.LogLines());
        Assert.Equal(1, sut.Services.GetRequiredService<CollectorMetrics>().CompatTimeouts);
    }

    [Fact]
    public async Task Connect_OverMaxConnections_BusyAndTheFirstStillServed()
    {
        await using var sut = await StartAsync("127.0.0.1", "--Collector:Compat:MaxConnections=1");
        var endPoint = CompatClient.EndPoint(sut);
        using var first = await CompatClient.ConnectAsync(endPoint);
        await first.SendAsync("black 192.0.2."u8.ToArray()); // held open, half a line
        var listener = sut.Services.GetRequiredService<KarmaKit.Collector.Compat.CompatListener>();
        for (var i = 0; i < 500 && listener.ActiveConnections == 0; i++)
        {
            await Task.Delay(10); // the accept loop picks the first connection up
        }

        var second = await CompatClient.SendAsync(endPoint, "black 192.0.2.9\n");
        var firstReply = await CompatClient.SendAsync(first, "1\n"u8.ToArray());

        Assert.Equal("error busy too many connections\n", second);
        Assert.Equal("ok\n", firstReply);
        Assert.Contains(" black 192.0.2.1 ", Assert.Single(sut.LogLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ConcurrentConnections_EveryLineOnceInTheLog()
    {
        await using var sut = await StartAsync();
        var endPoint = CompatClient.EndPoint(sut);

        var replies = await Task.WhenAll(Enumerable.Range(1, 40).Select(i => CompatClient.SendAsync(endPoint, $"black 192.0.2.{i}\n")));

        Assert.All(replies, r => Assert.Equal("ok\n", r));
        var subjects = sut.LogLines().Select(l => l.Split(' ')[3]).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"192.0.2.{i}").Order().ToArray(), subjects);
    }

    [Fact]
    public async Task Send_GarbageBytes_CollectorStaysUp()
    {
        await using var sut = await StartAsync();
        var random = new Random(3);
        for (var i = 0; i < 20; i++)
        {
            var junk = new byte[random.Next(1, 3000)];
            random.NextBytes(junk);
            using var socket = await CompatClient.ConnectAsync(CompatClient.EndPoint(sut));
            var reply = await CompatClient.SendAsync(socket, junk);
            Assert.StartsWith("error ", reply, StringComparison.Ordinal);
        }

        Assert.Equal("ok\n", await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.1\n"));
        Assert.Single(sut.LogLines());
    }
}
