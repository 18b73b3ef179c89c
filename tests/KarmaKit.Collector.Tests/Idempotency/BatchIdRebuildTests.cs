using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Tests.State;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Collector.Tests.Idempotency;

/// <summary>
/// The batch-id index rebuilt by the state's start-up read of karma.log (<see cref="IBatchIdRebuild"/>): from the
/// snapshot's batch ids and the tail after it, or from a full replay, always the same as a scan of the whole log.
/// </summary>
public sealed class BatchIdRebuildTests : TempDirectory
{
    private static readonly DateTime Now = new(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc);

    public BatchIdRebuildTests() => Directory.CreateDirectory(Path.Combine(Dir, "log"));

    private string LogPath => Path.GetFullPath(StateLog.Options(Dir).Log);

    private string SnapshotPath => Path.Combine(Dir, "data", StateSnapshot.FileName);

    private static string Line(DateTime received, string batch, int size, string reporter = "mx1.example.org", string subject = "192.0.2.1") =>
        $"{received:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {reporter} black {subject} count=1 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch={batch} size={size}\n";

    private static string Batch(DateTime received, string batch, int size, string reporter = "mx1.example.org") =>
        string.Concat(Enumerable.Range(0, size).Select(i => Line(received, batch, size, reporter, $"192.0.2.{i + 1}")));

    [Fact]
    public void Recovered_FullReplay_SameIndexAsTheScanner()
    {
        File.WriteAllText(LogPath + ".1", Batch(Now.AddDays(-2), "rotated", 3) + Batch(Now.AddDays(-9), "ancient", 1));
        StateLog.WriteGz(LogPath + ".2.gz", Batch(Now.AddDays(-3), "zipped", 2));
        File.WriteAllText(LogPath,
            Batch(Now.AddHours(-1), "two", 2) + Line(Now.AddHours(-1), "three", 3) + "not a line\n" + Line(Now.AddHours(-1), "three", 3)
            + Line(Now.AddHours(-1), "three", 3) + Line(Now.AddHours(-1), "same-id", 2) + Line(Now.AddHours(-1), "same-id", 2, "mx2.example.org")
            + Line(Now.AddMinutes(-1), "short", 3));

        var (feed, ids) = Recover(TimeSpan.FromDays(7));
        var scanned = new BatchIdIndex(TimeSpan.FromDays(7));
        BatchIdScanner.Load(LogPath, scanned, Now, NullLogger.Instance);

        Assert.False(feed.StartedFromSnapshot);
        Assert.True(ids.Loaded);
        Assert.Equal(Keys(scanned), Keys(ids));
        Assert.Equal(["mx1.example.org/rotated", "mx1.example.org/three", "mx1.example.org/two", "mx1.example.org/zipped"], Keys(ids));
        Assert.True(ids.TryGet(new BatchKey("mx1.example.org", "rotated"), out var rotated));
        Assert.Equal(new TakenBatch(Now.AddDays(-2), 3), rotated);
    }

    [Fact]
    public void Recovered_SnapshotWithBatchIds_NoLineReadAndEveryBatchTaken()
    {
        File.WriteAllText(LogPath, Batch(Now.AddHours(-3), "a", 2) + Batch(Now.AddHours(-2), "b", 1, "mx2.example.org"));
        var (first, _) = Recover(TimeSpan.FromDays(7));
        Assert.True(first.SaveSnapshot() > 0);

        var (sut, ids) = Recover(TimeSpan.FromDays(7));

        Assert.True(sut.StartedFromSnapshot);
        Assert.Equal(0, sut.Startup!.Value.Lines); // so the ids can only have come from the snapshot
        Assert.Equal(["mx1.example.org/a", "mx2.example.org/b"], Keys(ids));
        Assert.True(ids.TryGet(new BatchKey("MX1.example.org", "a"), out var a));
        Assert.Equal(new TakenBatch(Now.AddHours(-3), 2), a);
    }

    [Fact]
    public void Recovered_SnapshotThenTail_BatchesOfBothTakenButNotAShortOne()
    {
        File.WriteAllText(LogPath, Batch(Now.AddHours(-3), "before", 2));
        var (first, _) = Recover(TimeSpan.FromDays(7));
        Assert.True(first.SaveSnapshot() > 0);
        File.AppendAllText(LogPath, Batch(Now.AddHours(-1), "after", 3) + Line(Now.AddMinutes(-1), "short", 2));

        var (sut, ids) = Recover(TimeSpan.FromDays(7));

        Assert.True(sut.StartedFromSnapshot);
        Assert.Equal(4, sut.Startup!.Value.Lines);
        Assert.Equal(["mx1.example.org/after", "mx1.example.org/before"], Keys(ids));
    }

    [Fact]
    public void Recovered_SnapshotIdsOlderThanTheWindowNow_Forgotten()
    {
        File.WriteAllText(LogPath, Batch(Now.AddDays(-8), "old", 1) + Batch(Now.AddDays(-6), "recent", 1));
        var (first, _) = Recover(TimeSpan.FromDays(7), Now.AddDays(-5)); // both inside the window then
        Assert.True(first.SaveSnapshot() > 0);

        var (sut, ids) = Recover(TimeSpan.FromDays(7));

        Assert.True(sut.StartedFromSnapshot);
        Assert.Equal(["mx1.example.org/recent"], Keys(ids));
    }

    [Theory]
    [InlineData("corrupt")]
    [InlineData("no-ids")] // written by a feed that kept no batch ids
    [InlineData("shorter-window")] // the window grew since: the snapshot lacks the older ids
    public void Recovered_SnapshotWithoutUsableBatchIds_FullReplayFindsThemAll(string why)
    {
        File.WriteAllText(LogPath, Batch(Now.AddDays(-10), "ten-days", 2) + Batch(Now.AddHours(-2), "b", 2));
        if (why == "no-ids")
        {
            StateLog.Recover(Dir).SaveSnapshot();
        }
        else
        {
            Recover(why == "shorter-window" ? TimeSpan.FromDays(7) : TimeSpan.FromDays(14)).Feed.SaveSnapshot();
        }

        if (why == "corrupt")
        {
            var bytes = File.ReadAllBytes(SnapshotPath);
            bytes[^40] ^= 0x5A; // in the batch ids
            File.WriteAllBytes(SnapshotPath, bytes);
        }

        File.AppendAllText(LogPath, Batch(Now.AddHours(-1), "c", 1));

        var (sut, ids) = Recover(TimeSpan.FromDays(14));

        Assert.False(sut.StartedFromSnapshot);
        Assert.Equal(5, sut.Startup!.Value.Lines);
        Assert.Equal(["mx1.example.org/b", "mx1.example.org/c", "mx1.example.org/ten-days"], Keys(ids));
    }

    [Fact]
    public async Task Post_BatchAfterTheLastSnapshotThenCrash_BothBatchesDuplicateAfterRestart()
    {
        string snapshotAfterA;
        await using (var first = await TestCollector.StartAsync(Dir))
        {
            await Batches.AcceptedAsync(await first.PostAsync(Batches.Json("a", reports: 2)));
            Assert.True(first.State.SaveSnapshot() > 0);
            snapshotAfterA = Path.Combine(Dir, "snapshot-after-a");
            File.Copy(SnapshotPath, snapshotAfterA);
            await Batches.AcceptedAsync(await first.PostAsync(Batches.Json("b", reports: 3)));
        }

        File.Copy(snapshotAfterA, SnapshotPath, overwrite: true); // as if it crashed before the snapshot at stop

        await using var sut = await TestCollector.StartAsync(Dir);
        var a = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("a", reports: 2)));
        var b = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b", reports: 3)));

        Assert.True(sut.State.StartedFromSnapshot);
        Assert.Equal(3, sut.State.Startup!.Value.Lines); // only b's lines were read
        Assert.True(a.Duplicate);
        Assert.True(b.Duplicate);
        Assert.Equal(3, b.Accepted);
        Assert.Equal(5, sut.LogLines().Length);
    }

    private (SubjectStateFeed Feed, BatchIdIndex Ids) Recover(TimeSpan window, DateTime? now = null)
    {
        var feed = new SubjectStateFeed(new SubjectStateStore(), StateLog.Options(Dir), NullLogger<SubjectStateFeed>.Instance);
        var ids = new BatchIdIndex(window);
        feed.Attach(ids, now ?? Now);
        feed.Recovered(LogPath);
        return (feed, ids);
    }

    private static string[] Keys(BatchIdIndex ids) =>
        [.. ids.Export().Select(kv => $"{kv.Key.Reporter}/{kv.Key.Batch}").Order(StringComparer.Ordinal)];
}
