using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>Requests as Exim makes them, over real loopback TCP.</summary>
public abstract class LineServerTests : ListenerPathTests
{
    [Fact]
    public async Task Request_DefaultEximMode_RepliesOkAndSpools()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1 virus Eicar-Test-Signature\n");

        Assert.Equal("ok 1\n", reply);
        var report = Assert.Single(sut.Spool.Reports);
        Assert.Equal(new RecordedReport(1, Verb.Black, IpSubject.Parse("192.0.2.1"), "virus Eicar-Test-Signature"), report);
    }

    [Fact]
    public async Task Request_ShutdownNoMode_RepliesAndClosesPromptly()
    {
        // Exim with shutdown=no sends no EOF and waits for our close; waiting for EOF would deadlock until its timeout.
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromSeconds(30));

        var (reply, elapsed) = await ReadsocketClient.TimedExchangeAsync(sut.Tcp, "black 192.0.2.2\n"u8.ToArray(), shutdown: false);

        Assert.Equal("ok 1\n", reply);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
        Assert.Single(sut.Spool.Reports);
    }

    [Fact]
    public async Task Request_ManyLines_OneAppendAndRepliesInOrder()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\nwhite 2001:db8::1 known good\nBLACK 198.51.100.7 auth-bruteforce\n");

        Assert.Equal("ok 1\nok 2\nok 3\n", reply);
        Assert.Equal(1, sut.Spool.Appends);
        Assert.Equal(
            [(Verb.Black, "192.0.2.1"), (Verb.White, "2001:db8::1"), (Verb.Black, "198.51.100.7")],
            sut.Spool.Reports.Select(r => (r.Verb, r.Subject.ToString())));
    }

    [Fact]
    public async Task Request_Crlf_Accepted()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1 spam\r\nwhite 192.0.2.9\r\n");

        Assert.Equal("ok 1\nok 2\n", reply);
        Assert.Equal(["spam", ""], sut.Spool.Reports.Select(r => r.Reason));
    }

    [Fact]
    public async Task Request_NoFinalLfAtEof_LastLineTaken()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\nblack 192.0.2.3");

        Assert.Equal("ok 1\nok 2\n", reply);
        Assert.Equal("192.0.2.3", sut.Spool.Reports[1].Subject.ToString());
    }

    [Fact]
    public async Task Request_FullyExpandedIPv6FromEximBh_Canonicalised()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 2001:0db8:0000:0000:0000:0000:0000:0001\nblack ::ffff:192.0.2.5\n");

        Assert.Equal("ok 1\nok 2\n", reply);
        Assert.Equal(["2001:db8::1", "192.0.2.5"], sut.Spool.Reports.Select(r => r.Subject.ToString()));
    }

    [Fact]
    public async Task Request_BadLinesAmongGood_ErrorsForBadOnlyGoodSpooled()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\nblurp 192.0.2.1\nblack not-an-ip\nblack \nwhite 192.0.2.2\n");

        Assert.Equal(
            "ok 1\nerror syntax unknown verb (expected black or white)\nerror subject not an IPv4 or IPv6 address\nerror syntax missing subject\nok 2\n",
            reply);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], sut.Spool.Reports.Select(r => r.Subject.ToString()));
    }

    [Fact]
    public async Task Request_OnlyBadLines_NothingAppended()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 0.0.0.0\n");

        Assert.Equal("error subject unspecified address\n", reply);
        Assert.Equal(0, sut.Spool.Appends);
    }

    [Fact]
    public async Task Request_BlankLines_Ignored()
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "\n  \nblack 192.0.2.1\n\r\n\n");

        Assert.Equal("ok 1\n", reply);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData(" \r\n\t\n")]
    public async Task Request_Empty_ErrorSyntaxEmptyRequest(string request)
    {
        await using var sut = await StartAsync();

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, request);

        Assert.Equal("error syntax empty request\n", reply);
        Assert.Equal(0, sut.Spool.Appends);
    }

    [Theory]
    [InlineData(nameof(AppendStatus.SpoolFull), "error spool-full spool is full, report not taken\n")]
    [InlineData(nameof(AppendStatus.Unavailable), "error unavailable spool not available, report not taken\n")]
    public async Task Request_SpoolRefuses_EveryValidLineGetsSpoolError(string status, string expected)
    {
        await using var sut = await StartAsync();
        sut.Spool.Mode = Enum.Parse<AppendStatus>(status);

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\nnope\nblack 192.0.2.2\n");

        Assert.Equal(expected + "error syntax unknown verb (expected black or white)\n" + expected, reply);
        Assert.Empty(sut.Spool.Reports);
    }

    [Fact]
    public async Task Request_SpoolThrows_ErrorUnavailableAndServerLivesOn()
    {
        await using var sut = await StartAsync();
        sut.Spool.Throw = true;

        var first = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\n");
        sut.Spool.Throw = false;
        var second = await ReadsocketClient.ExchangeAsync(sut.Tcp, "black 192.0.2.1\n");

        Assert.Equal("error unavailable spool not available, report not taken\n", first);
        Assert.Equal("ok 1\n", second);
    }

    [Fact]
    public async Task Request_ConcurrentClients_AllAnsweredWithUniqueSequences()
    {
        await using var sut = await StartAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(async client =>
        {
            var mine = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                mine.Add(await ReadsocketClient.ExchangeAsync(sut.Tcp, $"black 10.0.{client}.{i}\n", shutdown: i % 2 == 0));
            }

            return mine;
        }));

        var all = replies.SelectMany(r => r).ToList();
        Assert.All(all, r => Assert.Matches("^ok [0-9]+\n$", r));
        Assert.Equal(400, all.Distinct().Count());
        Assert.Equal(400, sut.Spool.Reports.Count);
        await TestWait.UntilAsync(() => sut.Server.ActiveConnections == 0); // counted out just after the close the client saw
    }

    [Fact]
    public async Task Request_Ipv6Loopback_Served()
    {
        await using var sut = await StartAsync(o => o.Tcp = "[::1]:0");

        var reply = await ReadsocketClient.ExchangeAsync(sut.Tcp, "white ::1\n");

        Assert.Equal("ok 1\n", reply);
        Assert.Equal("::1", sut.Spool.Reports[0].Subject.ToString());
    }
}

public sealed class LineServerTestsDirect : LineServerTests
{
    protected override bool Direct => true;
}

public sealed class LineServerTestsSockets : LineServerTests
{
    protected override bool Direct => false;
}
