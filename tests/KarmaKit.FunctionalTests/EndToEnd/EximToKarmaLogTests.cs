using System.Diagnostics;
using KarmaKit.FunctionalTests.Exim;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.EndToEnd;

/// <summary>
/// issue 3, the whole path: real Exim (<c>exim -bh</c>, ACLs as Debian-exim) → readsocket → the real reporter
/// process → HTTP batches → the real collector process → karma.log. Needs root and exim4-daemon-heavy, as CI has.
/// </summary>
[Collection(WholeProcesses.Name)]
public sealed class EximToKarmaLogTests : IDisposable
{
    private const string ReporterName = "functional-test"; // what AgentProcess names the agent
    private const string Token = "e2e-functional-test-token-0123456789";

    private readonly string _dir = TestDirectories.CreateSearchable("kk-e2e-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task BhSessions_CollectorStoppedAndKilledMidway_EveryAcknowledgedReportInKarmaLogOnce()
    {
        var port = CollectorProcess.FreePort();
        var reporters = new Dictionary<string, string> { [ReporterName] = Token };
        var collector = await CollectorProcess.StartAsync(_dir, port, reporters);
        try
        {
            var tcp = Readsocket.FreeLoopbackEndPoint();
            await using var agent = await AgentProcess.StartAsync(tcp,
            [
                $"--Reporter:Spool={Path.Combine(_dir, "spool")}",
                "--Reporter:UnixSocket=",
                $"--Reporter:CollectorUrl={collector.Url}",
                $"--Reporter:Token={Token}",
                "--Reporter:Shipping:MaxBatchReports=4", // several batches, and batches of more than one line
                "--Reporter:Shipping:MaxBatchAge=00:00:00.050",
                "--Reporter:Shipping:RetryDelay=00:00:00.050",
                "--Reporter:Shipping:MaxRetryDelay=00:00:00.500",
                "--Reporter:Shipping:BreakDuration=00:00:01",
            ]);
            using var exim = EximEnvironment.Create($"inet:{tcp}");
            var sender = EximSessionSender.Start(exim);
            await using (sender)
            {
                await sender.WaitForMoreAsync(6);
                Assert.Equal(0, await collector.StopAsync()); // SIGTERM, as systemd stops it
                await collector.DisposeAsync();
                await sender.WaitForMoreAsync(6); // these wait in the reporter's spool
                collector = await CollectorProcess.StartAsync(_dir, port, reporters);
                await sender.WaitForMoreAsync(6);
                collector.Kill(); // SIGKILL, while the reporter keeps shipping
                await collector.DisposeAsync();
                await sender.WaitForMoreAsync(6);

                collector = await CollectorProcess.StartAsync(_dir, port, reporters);
                await sender.WaitForMoreAsync(4);
            }

            Assert.True(sender.Problems.IsEmpty, string.Join('\n', sender.Problems) + "\nagent:\n" + agent.Output);
            Assert.True(sender.Acknowledged.Count >= 28, $"only {sender.Acknowledged.Count} sessions were acknowledged");
            await WaitUntilLoggedAsync(CollectorProcess.LogPath(_dir), sender.Acknowledged.Keys, collector, agent);
            Assert.Equal(0, await agent.StopAsync());
            Assert.Equal(0, await collector.StopAsync());

            var lines = KarmaLogFile.Read(CollectorProcess.LogPath(_dir));
            Assert.All(lines, l => Assert.Equal((ReporterName, "black", 1, EximSessionSender.Reason), (l.Reporter, l.Verb, l.Count, l.Reason)));
            Assert.Equal(sender.Acknowledged.Keys.Order(StringComparer.Ordinal), lines.Select(l => l.Subject).Order(StringComparer.Ordinal));
            Assert.All(lines.GroupBy(l => l.Batch), batch => Assert.Equal(batch.First().Size, batch.Count())); // whole batches only
        }
        finally
        {
            await collector.DisposeAsync();
        }
    }

    private static async Task WaitUntilLoggedAsync(string log, ICollection<string> subjects, CollectorProcess collector, AgentProcess agent)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            var logged = KarmaLogFile.Read(log).Select(l => l.Subject).ToHashSet();
            if (subjects.All(logged.Contains))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"not every acknowledged report reached karma.log within 60 s\nagent:\n{agent.Output}\ncollector:\n{collector.Output}");
    }
}
