using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.Status;

/// <summary><c>karmakit-reporter status</c> as a process, over the spool of a running agent.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kk-status-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Status_CollectorRefusesThenAccepts_ShowsQueueThenDelivery()
    {
        await using var collector = await RecordingCollector.StartAsync();
        collector.Refusing = true;
        var spool = Path.Combine(_dir, "spool");
        var tcp = Readsocket.FreeLoopbackEndPoint();
        await using var agent = await AgentProcess.StartAsync(tcp,
        [
            $"--Reporter:Spool={spool}",
            $"--Reporter:CollectorUrl={collector.Url}",
            $"--Reporter:Token={collector.Token}",
            "--Reporter:Shipping:MaxBatchAge=00:00:00.020",
            "--Reporter:Shipping:RetryDelay=00:00:00.050",
            "--Reporter:Shipping:MaxRetryDelay=00:00:00.300",
            "--Reporter:Shipping:BreakDuration=00:00:00.500",
        ]);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal($"ok {i}\n", await Readsocket.CallAsync(tcp, $"black 192.0.2.{i} status-test\n"));
        }

        var waiting = await ReporterStatus.RunAsync(spool);

        Assert.True(waiting.ExitCode == 0, waiting.ToString());
        Assert.Equal((3L, 0L, 3L), (waiting.QueueDepth, waiting.DeliveredThrough, waiting.LastSequence));
        Assert.Equal("never", waiting.LastDelivery);
        Assert.Matches(@"^(under 1s|[0-9]+s) ago \(20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\)$", waiting.OldestWaiting);

        collector.Refusing = false;
        var delivered = await ReporterStatus.WaitUntilAsync(spool, s => s.QueueDepth == 0, TimeSpan.FromSeconds(30));

        Assert.True(delivered.ExitCode == 0, delivered.ToString());
        Assert.Equal((3L, 3L), (delivered.DeliveredThrough, delivered.LastSequence));
        Assert.Equal("-", delivered.OldestWaiting);
        Assert.Matches(@"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z \(.+ ago\)$", delivered.LastDelivery);
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], collector.Reports.Select(r => r.Subject).Order(StringComparer.Ordinal));
        Assert.Equal(0, await agent.StopAsync());
    }
}
