using System.Diagnostics;
using System.Globalization;
using KarmaKit.FunctionalTests.Exim;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// A real Exim daemon with the kit on a free loopback port, driven by swaks (a real SMTP client, not <c>-bh</c>),
/// reporting to the real agent. Loopback is taken out of KK_NEVER_REPORT so that swaks's 127.0.0.1 is reportable.
/// </summary>
public sealed class KitDaemonTests
{
    private static readonly KitOptions LoopbackReportable = new() { NeverReport = "192.0.2.0/24" };

    [Fact]
    public async Task Swaks_Virus_RefusedAndReportedOnce()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket, LoopbackReportable);
        await using var daemon = await exim.StartDaemonAsync();

        var swaks = await RunSwaksAsync(daemon.Port, "X-KK-Sim-Virus: Eicar-Test-Signature");

        Assert.Contains(swaks.Lines, l => l.StartsWith("<** 550", StringComparison.Ordinal) && l.Contains("virus (Eicar-Test-Signature)", StringComparison.Ordinal));
        var log = await WaitForLogAsync(daemon, "KarmaKit: ");
        await KitAssert.ReportedOnceAsync(agent, log, "black", "127.0.0.1", "virus Eicar-Test-Signature");
    }

    [Fact]
    public async Task Swaks_CleanMessage_AcceptedNothingReported()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket, LoopbackReportable);
        await using var daemon = await exim.StartDaemonAsync();

        var swaks = await RunSwaksAsync(daemon.Port, "X-KK-Nothing: clean");

        Assert.Equal(0, swaks.ExitCode);
        var dot = swaks.Lines.FindIndex(l => l == " -> .");
        Assert.True(dot >= 0 && dot + 1 < swaks.Lines.Count && swaks.Lines[dot + 1].StartsWith("<-  250", StringComparison.Ordinal), swaks.ToString());
        var log = await WaitForLogAsync(daemon, "<= a@sender.example"); // the message is in Exim's queue: DATA is over
        await KitAssert.NothingReportedAsync(agent, log);
    }

    private static async Task<SwaksResult> RunSwaksAsync(int port, string header)
    {
        var result = await ProcessRunner.RunAsync(
            "swaks",
            "--server", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--helo", "client.example",
            "--from", "a@sender.example", "--to", "u@test.example", "--add-header", header, "--timeout", "30");
        return new SwaksResult(result.ExitCode, [.. result.Lines, .. result.Error.Split('\n').Select(l => l.TrimEnd('\r'))]);
    }

    private sealed record SwaksResult(int ExitCode, List<string> Lines)
    {
        public override string ToString() => $"swaks exit {ExitCode}:\n{string.Join('\n', Lines)}";
    }

    /// <summary>The daemon writes its log after the SMTP reply; waits (up to 10 s) for a line containing TEXT, returns the log.</summary>
    private static async Task<string[]> WaitForLogAsync(EximDaemon daemon, string text)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var log = await daemon.ReadMainLogAsync();
            if (log.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return log;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"'{text}' not in the Exim main log:\n{string.Join('\n', log)}");
            }

            await Task.Delay(50);
        }
    }
}
