using System.Net;
using System.Text.RegularExpressions;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>
/// Real Exim 4.96 against the real agent process (<c>karmakit-reporter</c>): <c>exim -bh</c> sessions (ACLs run as
/// Debian-exim, like the daemon), a real daemon and <c>exim -be</c> expansions call readsocket over TCP and the unix
/// socket. Each test checks the answer Exim got, then <c>karmakit-reporter status</c> for the report waiting in the
/// spool (the collector refuses until then), then that it reaches the collector exactly once.
/// Needs root and exim4-daemon-heavy, as CI has.
/// </summary>
public sealed partial class EximReadsocketTests
{
    private const string Virus = "virus Eicar-Test-Signature";
    private static readonly string[] VirusHeader = ["X-KK-Sim-Virus: Eicar-Test-Signature"];

    [Theory]
    [InlineData("tcp", "203.0.113.5", "203.0.113.5")]
    [InlineData("tcp", "2001:db8::1", "2001:db8::1")]
    [InlineData("unix", "203.0.113.6", "203.0.113.6")]
    [InlineData("unix", "2001:db8:0:0:1::7", "2001:db8::1:0:0:7")]
    public async Task Bh_VirusFound_AgentAcknowledgesSpoolsAndDeliversOnce(string transport, string client, string subject)
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = EximEnvironment.Create(transport == "tcp" ? agent.TcpSocket : agent.UnixSocket);
        await using var session = await exim.StartSessionAsync(client);

        var reply = await session.SendMessageAsync("a@sender.example", "u@test.example", VirusHeader);

        Assert.Equal(550, reply.Code);
        Assert.Contains("virus (Eicar-Test-Signature)", reply.Lines[0], StringComparison.Ordinal);
        await AssertSpooledThenDeliveredOnceAsync(agent, AgentAnswer(session), "black", subject, Virus);
    }

    [Theory]
    [InlineData("tcp", "127.0.0.1")]
    [InlineData("unix", "::1")]
    public async Task Daemon_VirusFound_AgentAcknowledgesCompressedAddress(string transport, string client)
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = EximEnvironment.Create(transport == "tcp" ? agent.TcpSocket : agent.UnixSocket);
        await using var daemon = await exim.StartDaemonAsync();

        SmtpReply reply;
        await using (var smtp = await daemon.ConnectAsync(IPAddress.Parse(client)))
        {
            reply = await smtp.SendMessageAsync("a@sender.example", "u@test.example", VirusHeader);
        }

        Assert.Equal(550, reply.Code);
        await TestWaitForLogAsync(daemon, $"{EximTestConfig.AnsweredPrefix}ok 1 ]");
        await AssertSpooledThenDeliveredOnceAsync(agent, 1, "black", client, Virus);
    }

    [Fact]
    public async Task Bh_CleanMessage_NothingReported()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = EximEnvironment.Create(agent.TcpSocket);
        await using var session = await exim.StartSessionAsync("203.0.113.7");

        var reply = await session.SendMessageAsync("a@sender.example", "u@test.example", []);

        Assert.Equal(250, reply.Code);
        await AssertNothingSpooledAsync(agent);
    }

    [Fact]
    public async Task Bh_UnixSocketOwnerOnly_EximUserCannotReport()
    {
        // Why the group matters: -bh (and the daemon) run the ACLs as Debian-exim, not root.
        await using var agent = await AgentUnderTest.StartAsync(unixSocketMode: "0600", unixSocketGroup: "");
        using var exim = EximEnvironment.Create(agent.UnixSocket);
        await using var session = await exim.StartSessionAsync("203.0.113.8");

        var reply = await session.SendMessageAsync("a@sender.example", "u@test.example", VirusHeader);

        Assert.Equal(550, reply.Code);
        Assert.Contains(session.LogLines, l => l.Contains(EximTestConfig.FailedPrefix, StringComparison.Ordinal));
        await AssertNothingSpooledAsync(agent);
    }

    [Fact]
    public async Task Be_SeedForm_RepliesOkWithNewlineKept()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = EximEnvironment.Create(agent.TcpSocket);

        var result = await exim.ExpandAsync(Readsocket(agent.TcpSocket, """{black 192.0.2.1\n}{5s}{}{}"""));

        Assert.False(result.Failed, result.Output);
        Assert.Equal("ok 1\n", result.Output.TrimEnd('\n') + "\n");
        await AssertSpooledThenDeliveredOnceAsync(agent, 1, "black", "192.0.2.1", null);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task Be_ShutdownNo_AnsweredWellUnderTheTimeout(string transport)
    {
        // With shutdown=no Exim sends no EOF. An agent waiting for one would answer only when its own
        // Reporter:Listener:ClientTimeout (5 s) or Exim's 10 s run out; under 4 s leaves room for a loaded machine.
        await using var agent = await AgentUnderTest.StartAsync();
        var socket = transport == "tcp" ? agent.TcpSocket : agent.UnixSocket;
        using var exim = EximEnvironment.Create(socket);

        var result = await exim.ExpandAsync("[" + Readsocket(socket, """{white 192.0.2.9 known good\n}{10s:shutdown=no}{ }{KKFAIL}""") + "]");

        Assert.Equal("[ok 1 ]", result.Output.Trim());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(4), $"took {result.Elapsed}");
        await AssertSpooledThenDeliveredOnceAsync(agent, 1, "white", "192.0.2.9", "known good");
    }

    [Fact]
    public async Task Be_BadLineAndNoFinalNewline_ErrorAndOkInOrder()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = EximEnvironment.Create(agent.TcpSocket);

        var result = await exim.ExpandAsync("[" + Readsocket(agent.TcpSocket, """{grey 192.0.2.1\nblack 192.0.2.2}{5s}{|}{KKFAIL}""") + "]");

        Assert.Equal("[error syntax unknown verb (expected black or white)|ok 1|]", result.Output.Trim());
        await AssertSpooledThenDeliveredOnceAsync(agent, 1, "black", "192.0.2.2", null);
    }

    [Fact]
    public async Task Be_AgentDown_FailStringAtOnce()
    {
        string socket;
        await using (var agent = await AgentUnderTest.StartAsync())
        {
            socket = agent.TcpSocket;
            Assert.Equal(0, await agent.Process.StopAsync());
        }

        using var exim = EximEnvironment.Create(socket);

        var result = await exim.ExpandAsync("[" + Readsocket(socket, """{black 192.0.2.1\n}{1s}{ }{KKFAIL}""") + "]");

        Assert.Equal("[KKFAIL]", result.Output.Trim());
    }

    /// <summary>
    /// The acknowledged report waits in the spool while the collector refuses (status: one queued, the newest
    /// sequence is the one Exim got), then reaches the collector exactly once with verb, subject and reason.
    /// </summary>
    private static async Task AssertSpooledThenDeliveredOnceAsync(AgentUnderTest agent, long sequence, string verb, string subject, string? reason)
    {
        var spooled = await agent.StatusAsync();
        Assert.True(spooled.ExitCode == 0, spooled.ToString());
        Assert.Equal((1L, 0L, sequence), (spooled.QueueDepth, spooled.DeliveredThrough, spooled.LastSequence));
        Assert.Empty(agent.Collector.Reports);

        var delivered = await agent.DeliverAsync();

        Assert.Equal(sequence, delivered.DeliveredThrough);
        Assert.NotEqual("never", delivered.LastDelivery);
        var report = Assert.Single(agent.Collector.Reports);
        Assert.Equal((verb, subject, reason, 1), (report.Verb, report.Subject, report.Reason, report.Count));
    }

    /// <summary>Exim is done with the session, so any report would be durable by now: the spool never held one.</summary>
    private static async Task AssertNothingSpooledAsync(AgentUnderTest agent)
    {
        var status = await agent.StatusAsync();
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal((0L, 0L), (status.QueueDepth, status.LastSequence));
        Assert.Empty(agent.Collector.Reports);
    }

    /// <summary>The daemon writes its log line after the SMTP reply; give it a moment.</summary>
    private static async Task TestWaitForLogAsync(EximDaemon daemon, string text)
    {
        for (var i = 0; i < 250; i++)
        {
            if ((await daemon.ReadMainLogAsync()).Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"'{text}' not in the Exim main log:\n{string.Join('\n', await daemon.ReadMainLogAsync())}");
    }

    /// <summary><c>${readsocket{SOCKET}REST}</c>; REST holds the request and the other arguments, Exim escapes as is.</summary>
    private static string Readsocket(string socket, string rest) => "${readsocket{" + socket + "}" + rest + "}";

    /// <summary>The sequence in the agent's answer that the test config logs (<c>... agent answered [ok N ]</c>).</summary>
    private static long AgentAnswer(EximSession session)
    {
        var line = Assert.Single(session.LogLines, l => l.Contains(EximTestConfig.AnsweredPrefix, StringComparison.Ordinal));
        var match = AnswerPattern().Match(line);
        Assert.True(match.Success, line);
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"agent answered \[ok ([0-9]+) \]$")]
    private static partial Regex AnswerPattern();
}
