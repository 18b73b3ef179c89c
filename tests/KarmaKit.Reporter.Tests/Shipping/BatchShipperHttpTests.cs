using System.Diagnostics;
using KarmaKit.Protocol.Subjects;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Shipping;
using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>
/// The shipper as a hosted service against a real Kestrel collector on loopback, through the real
/// SocketsHttpHandler. Small real delays (RetryDelay 10 ms) keep them fast; the attempt timeout (1 s)
/// leaves room for a loaded machine, as a slow answer taken for a timeout would change the script.
/// </summary>
public class BatchShipperHttpTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ExecuteAsync_RefusedTimeout429And400And413_EveryReportDeliveredExactlyOnceOrDeadLettered()
    {
        var port = FakeCollector.FreePort();
        var options = Options($"http://127.0.0.1:{port}");
        using var sut = new ShippingHarness(options, ShippingServiceCollectionExtensions.CreateHttpClient(options.Shipping));
        sut.Spool.Append(Records.Range(1, 40));

        // Nothing listens yet: connection refused, so the collector is unreachable.
        await sut.Shipper.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => sut.Status.Current is { State: ShippingState.Unreachable, LastError: { } error }
            && error.Contains("refused", StringComparison.OrdinalIgnoreCase));

        await using var collector = await FakeCollector.StartAsync(port, (n, _) => n switch
        {
            1 => CollectorStep.Stall, // times out: AttemptTimeout
            2 => CollectorStep.TooManyRequests, // Retry-After: 1
            3 => CollectorStep.BadRequest, // the first batch goes to the dead-letter file
            4 => CollectorStep.TooLarge, // the second batch is split
            _ => CollectorStep.Accept,
        });
        await sut.Spool.WaitForDeliveredThroughAsync(20);
        sut.Spool.Append(Records.Range(41, 60)); // more arrive while shipping
        await sut.Spool.WaitForDeliveredThroughAsync(60);
        await sut.Shipper.StopAsync(CancellationToken.None);

        var answers = collector.Answers;
        Assert.Equal([0, 429, 400, 413], answers.Take(4).Select(a => a.Status));
        Assert.Equal(["s1-1-8", "s1-1-8", "s1-1-8", "s1-9-16"], answers.Take(4).Select(a => a.BatchId));
        Assert.Equal("s1-9-12", answers[4].BatchId); // 413 led to a smaller batch

        var (deadBatch, deadBody, reason) = Assert.Single(sut.Spool.DeadLetters);
        Assert.Equal(new InFlightBatch("s1-1-8", 1, 8), deadBatch);
        Assert.Equal("HTTP 400 Bad Request: reports[0]: rejected by the test", reason);
        Assert.Contains($"\"{Records.SubjectOf(8)}\"", deadBody, StringComparison.Ordinal);

        var delivered = collector.Accepted.Values
            .SelectMany(b => b.Reports.SelectMany(r => Enumerable.Repeat(SequenceOf(r.Subject), r.Count)))
            .ToList();
        Assert.Equal(delivered.Count, delivered.Distinct().Count()); // nothing twice
        Assert.Equal(Enumerable.Range(9, 52).Select(i => (long)i), delivered.Order()); // everything else once
        Assert.All(collector.Accepted.Values, b => Assert.InRange(b.Reports.Count, 1, 8));
        Assert.All(answers.Where(a => a.Status == 200), a => Assert.False(a.Duplicate));

        Assert.Equal(1, sut.StatusLog.Count("CollectorUnreachable"));
        Assert.Equal(1, sut.StatusLog.Count("CollectorReachable"));
        Assert.Equal(ShippingState.Waiting, sut.Status.Current.State);
    }

    [Fact]
    public async Task ExecuteAsync_RestartWithBatchPending_ResendsSameIdAndCollectorAnswersDuplicate()
    {
        await using var collector = await FakeCollector.StartAsync();
        var spool = new InMemorySpoolQueue { FailNextComplete = new IOException("spool disk gone") };
        spool.Append(Records.Range(1, 5));

        // First run: delivered, but the agent "dies" before the spool records it.
        var slow = Options(collector.Url, s => s.RetryDelay = s.MaxRetryDelay = TimeSpan.FromSeconds(30));
        using (var first = new ShippingHarness(slow, ShippingServiceCollectionExtensions.CreateHttpClient(slow.Shipping), spool))
        {
            await first.Shipper.StartAsync(CancellationToken.None);
            await WaitUntilAsync(() => first.ShipperLog.Count("ShipperFailed") == 1);
            await first.Shipper.StopAsync(CancellationToken.None);
        }

        Assert.Equal(new InFlightBatch("s1-1-5", 1, 5), spool.PendingBatch);
        Assert.Empty(spool.Completed);

        var options = Options(collector.Url);
        using var sut = new ShippingHarness(options, ShippingServiceCollectionExtensions.CreateHttpClient(options.Shipping), spool);
        await sut.Shipper.StartAsync(CancellationToken.None);
        await spool.WaitForDeliveredThroughAsync(5);
        await sut.Shipper.StopAsync(CancellationToken.None);

        Assert.Equal([("s1-1-5", false), ("s1-1-5", true)], collector.Answers.Select(a => (a.BatchId, a.Duplicate)));
        Assert.Equal([new InFlightBatch("s1-1-5", 1, 5)], spool.Begun); // begun once, before the first POST
        Assert.Equal([(new InFlightBatch("s1-1-5", 1, 5), BatchOutcome.Delivered)], spool.Completed);
        Assert.Equal(1, sut.ShipperLog.Count("PendingBatchResent"));
        Assert.Equal(5, collector.Accepted.Values.Sum(b => b.Reports.Sum(r => r.Count)));
    }

    [Fact]
    public async Task StopAsync_CollectorDown_StopsPromptlyAndTheBatchStaysPending()
    {
        var options = Options($"http://127.0.0.1:{FakeCollector.FreePort()}", s => s.MaxRetryDelay = TimeSpan.FromMinutes(5));
        using var sut = new ShippingHarness(options, ShippingServiceCollectionExtensions.CreateHttpClient(options.Shipping));
        sut.Spool.Append(Records.Range(1, 3));
        await sut.Shipper.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => sut.ClientLog.Count("AttemptFailed") >= 3);

        var stopwatch = Stopwatch.StartNew();
        await sut.Shipper.StopAsync(CancellationToken.None);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {stopwatch.Elapsed}");
        Assert.Equal(new InFlightBatch("s1-1-3", 1, 3), sut.Spool.PendingBatch);
        Assert.Empty(sut.Spool.Completed);
    }

    private static ReporterOptions Options(string url, Action<ShippingOptions>? shipping = null) =>
        ShippingHarness.FastOptions(url, s =>
        {
            s.MaxBatchReports = 8;
            s.MaxBatchAge = TimeSpan.FromMilliseconds(20);
            s.AttemptTimeout = TimeSpan.FromSeconds(1);
            s.RetryDelay = TimeSpan.FromMilliseconds(10);
            s.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            shipping?.Invoke(s);
        });

    private static long SequenceOf(string subject)
    {
        var value = IpSubject.Parse(subject).IPv4Value;
        return value & 0xFF_FFFF;
    }

    /// <summary>Polls a condition the shipper reaches on its own (not a backoff being waited out).</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < Wait, "condition not reached in time");
            await Task.Delay(5);
        }
    }
}
