using KarmaKit.FunctionalTests.Exim;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// Who the kit never reports, though Exim still refuses their virus: KK_NEVER_REPORT hosts (loopback and a site
/// network), authenticated clients (the site's own users) and local submissions (<c>exim -bs</c>, no client address).
/// Nothing is logged by the kit, and the agent's spool never holds a report.
/// </summary>
public sealed class KitNeverReportTests
{
    private const string Sender = "a@sender.example";
    private const string Recipient = "u@test.example";
    private static readonly string[] VirusHeader = ["X-KK-Sim-Virus: Eicar-Test-Signature"];

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("192.0.2.5")]
    public async Task Bh_NeverReportHostSendsVirus_RefusedNothingReported(string client)
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket, new KitOptions { NeverReport = "127.0.0.0/8 ; ::1 ; 192.0.2.0/24" });
        await using var session = await exim.StartSessionAsync(client);

        var reply = await session.SendMessageAsync(Sender, Recipient, VirusHeader);

        Assert.Equal(550, reply.Code);
        await KitAssert.NothingReportedAsync(agent, session.LogLines);
    }

    [Fact]
    public async Task Bh_AuthenticatedClientSendsVirus_RefusedNothingReported()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        var session = await exim.StartSessionAsync("203.0.113.13");
        SmtpReply reply;
        await using (session)
        {
            await session.ExpectAsync("EHLO client.example", 250);
            await session.ExpectAsync(KitConfig.GoodAuth, 235);
            reply = await SendAfterEhloAsync(session, VirusHeader);
            await session.ExpectAsync("QUIT", 221);
        }

        Assert.Equal(550, reply.Code);
        await KitAssert.NothingReportedAsync(agent, session.LogLines);
    }

    [Fact]
    public async Task Bs_LocalSubmissionWithVirus_RefusedNothingReported()
    {
        // exim -bs: a local program speaking SMTP on stdin, no $sender_host_address; kk_report's first rule.
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket);
        var session = await exim.StartSessionWithAsync("-bs");
        SmtpReply reply;
        await using (session)
        {
            reply = await session.SendMessageAsync("root@test.example", Recipient, VirusHeader);
            await session.ExpectAsync("QUIT", 221);
        }

        Assert.Equal(550, reply.Code);
        var mainLog = Path.Combine(exim.Directory, "log", "mainlog");
        var logged = File.Exists(mainLog) ? await File.ReadAllLinesAsync(mainLog) : [];
        await KitAssert.NothingReportedAsync(agent, logged.Concat(session.LogLines));
    }

    /// <summary>MAIL, RCPT, DATA in the authenticated session, without the new EHLO that SendMessageAsync would send.</summary>
    private static async Task<SmtpReply> SendAfterEhloAsync(EximSession session, IEnumerable<string> headers)
    {
        await session.ExpectAsync($"MAIL FROM:<{Sender}>", 250);
        await session.ExpectAsync($"RCPT TO:<{Recipient}>", 250);
        await session.ExpectAsync("DATA", 354);
        return await session.SendAsync(string.Join("\r\n", headers.Append("Subject: KarmaKit test")) + "\r\n\r\ntest body\r\n.");
    }
}
