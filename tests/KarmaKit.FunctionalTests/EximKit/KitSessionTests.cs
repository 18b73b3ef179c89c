using KarmaKit.FunctionalTests.Exim;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// The kit's ACL subroutines (exim-config/karmakit-acl.conf) in <c>exim -bh</c> sessions against the real agent: what
/// Exim answers, the <c>KarmaKit: reported ...</c> log line, and the exact report delivered once to the collector.
/// KK_SIMULATE headers stand in for clamd and spamd. Needs root and exim4-daemon-heavy, as CI has.
/// </summary>
public sealed class KitSessionTests
{
    private const string Sender = "a@sender.example";
    private const string Recipient = "u@test.example";
    private static readonly string[] VirusHeader = ["X-KK-Sim-Virus: Eicar-Test-Signature"];

    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task Bh_Virus_RefusedAndReportedBlackOnce(string transport)
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(transport == "tcp" ? agent.TcpSocket : agent.UnixSocket);
        await using var session = await exim.StartSessionAsync("203.0.113.5");

        var reply = await session.SendMessageAsync(Sender, Recipient, VirusHeader);

        Assert.Equal(550, reply.Code);
        Assert.Contains("virus (Eicar-Test-Signature)", reply.ToString(), StringComparison.Ordinal);
        await KitAssert.ReportedOnceAsync(agent, session.LogLines, "black", "203.0.113.5", "virus Eicar-Test-Signature");
    }

    [Fact]
    public async Task Bh_SpamOverThreshold_RefusedAndReportedWithScore()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        await using var session = await exim.StartSessionAsync("203.0.113.6");

        var reply = await session.SendMessageAsync(Sender, Recipient, ["X-KK-Sim-Spam-Int: 203"]);

        Assert.Equal(550, reply.Code);
        await KitAssert.ReportedOnceAsync(agent, session.LogLines, "black", "203.0.113.6", "spam score 203");
    }

    [Fact]
    public async Task Bh_SpamAtThreshold_AcceptedNothingReported()
    {
        // KK_SPAM_SCORE_INT is 150 and the kit refuses scores above it, so 150 itself passes.
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        await using var session = await exim.StartSessionAsync("203.0.113.7");

        var reply = await session.SendMessageAsync(Sender, Recipient, ["X-KK-Sim-Spam-Int: 150"]);

        Assert.Equal(250, reply.Code);
        await KitAssert.NothingReportedAsync(agent, session.LogLines);
    }

    [Fact]
    public async Task Bh_ThreeFailedAuthThenQuit_ReportedOnQuit()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        var session = await exim.StartSessionAsync("203.0.113.8");
        await using (session)
        {
            await session.ExpectAsync("EHLO client.example", 250);
            for (var i = 0; i < 3; i++)
            {
                await session.ExpectAsync(KitConfig.BadAuth, 535);
            }

            await session.ExpectAsync("QUIT", 221);
        }

        await KitAssert.ReportedOnceAsync(agent, session.LogLines, "black", "203.0.113.8", "auth 3 failed AUTH");
    }

    [Fact]
    public async Task Bh_ThreeFailedAuthThenDroppedConnection_ReportedWithReason()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        var session = await exim.StartSessionAsync("203.0.113.9");
        await using (session)
        {
            await session.ExpectAsync("EHLO client.example", 250);
            for (var i = 0; i < 3; i++)
            {
                await session.ExpectAsync(KitConfig.BadAuth, 535);
            }
        } // closes Exim's stdin without QUIT: the not-quit ACL runs with "connection-lost"

        await KitAssert.ReportedOnceAsync(agent, session.LogLines, "black", "203.0.113.9", "auth 3 failed AUTH, connection-lost");
    }

    [Fact]
    public async Task Bh_TwoFailedAuthThenSuccess_NothingReported()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        var session = await exim.StartSessionAsync("203.0.113.10");
        await using (session)
        {
            await session.ExpectAsync("EHLO client.example", 250);
            await session.ExpectAsync(KitConfig.BadAuth, 535);
            await session.ExpectAsync(KitConfig.BadAuth, 535);
            await session.ExpectAsync(KitConfig.GoodAuth, 235);
            await session.ExpectAsync("QUIT", 221);
        }

        await KitAssert.NothingReportedAsync(agent, session.LogLines);
    }

    [Fact]
    public async Task Bh_SixUnknownRecipients_OneDictionaryReport()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        var session = await exim.StartSessionAsync("203.0.113.11");
        await using (session)
        {
            await session.ExpectAsync("EHLO client.example", 250);
            await session.ExpectAsync($"MAIL FROM:<{Sender}>", 250);
            for (var i = 1; i <= 6; i++)
            {
                await session.ExpectAsync($"RCPT TO:<nobody{i}@test.example>", 550);
            }

            await session.ExpectAsync("QUIT", 221);
        }

        await KitAssert.ReportedOnceAsync(agent, session.LogLines, "black", "203.0.113.11", "dictionary 5 unknown recipients");
    }

    [Fact]
    public async Task Bh_WhiteHostTwoCleanMessages_OneWhiteReport()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        var session = await exim.StartSessionAsync("198.51.100.9");
        await using (session)
        {
            Assert.Equal(250, (await session.SendMessageAsync(Sender, Recipient, [])).Code);
            Assert.Equal(250, (await session.SendMessageAsync(Sender, Recipient, [])).Code);
            await session.ExpectAsync("QUIT", 221);
        }

        await KitAssert.ReportedOnceAsync(agent, session.LogLines, "white", "198.51.100.9", "vouched clean mail");
    }

    [Fact]
    public async Task Bh_CleanMessageFromOtherHost_NothingReported()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        await using var session = await exim.StartSessionAsync("203.0.113.12");

        var reply = await session.SendMessageAsync(Sender, Recipient, []);

        Assert.Equal(250, reply.Code);
        await KitAssert.NothingReportedAsync(agent, session.LogLines);
    }
}
