using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Batches;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Collector.Tests.State;

/// <summary>The state kept by a running collector: fed by the real HTTP ingest, saved at stop, loaded at start.</summary>
public sealed class SubjectStateFeedTests : TempDirectory
{
    [Fact]
    public async Task Post_Batch_InTheStateWhenAnswered()
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1", reports: 2)));

        var store = sut.State.Store;
        Assert.True(store.TryGet(IpSubject.Parse("192.0.2.2"), out var state));
        Assert.Equal(3u, state.BlackCount);
        Assert.Equal("virus Eicar", store.Reasons[state.BlackReasonId]);
        Assert.Equal(TestCollector.Reporter1, store.Reporters[state.Reporter(0).ReporterId]);
        Assert.Equal(Batches.Last.AddMilliseconds(-4), state.LastBlack);
        Assert.Equal(2, store.Count);
        Assert.Equal(new FileInfo(sut.LogPath).Length, store.Position!.Offset);
    }

    [Fact]
    public async Task Post_DuplicateBatch_StateUnchanged()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1")));

        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1")));

        Assert.True(sut.State.Store.TryGet(IpSubject.Parse("192.0.2.2"), out var state));
        Assert.Equal(3u, state.BlackCount);
    }

    [Fact]
    public async Task Post_SeveralReporters_LiveStateEqualsReplayOfTheLog()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json(Mixed("a", TestCollector.Reporter1))));
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json(Mixed("b", TestCollector.Reporter2)), TestCollector.Token2));
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json(Mixed("c", TestCollector.Reporter1))));

        var replayed = Replay(sut.LogPath);

        Assert.Equal(StateLog.Dump(replayed.Store), StateLog.Dump(sut.State.Store));
    }

    [Fact]
    public async Task Restart_StateSavedAtStop_LoadedWithoutReplay()
    {
        string before;
        await using (var first = await TestCollector.StartAsync(Dir))
        {
            await Batches.AcceptedAsync(await first.PostAsync(Batches.Json(Mixed("a", TestCollector.Reporter1))));
            before = StateLog.Dump(first.State.Store);
        }

        await using var sut = await TestCollector.StartAsync(Dir);

        Assert.True(sut.State.StartedFromSnapshot);
        Assert.Equal(0, sut.State.Startup!.Value.Lines);
        Assert.Equal(before, StateLog.Dump(sut.State.Store));
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json(Mixed("b", TestCollector.Reporter1))));
        Assert.Equal(StateLog.Dump(Replay(sut.LogPath).Store), StateLog.Dump(sut.State.Store));
    }

    [Fact]
    public async Task Restart_AfterLogrotate_SnapshotFollowsTheRenamedLog()
    {
        await using (var first = await TestCollector.StartAsync(Dir))
        {
            await Batches.AcceptedAsync(await first.PostAsync(Batches.Json(Mixed("a", TestCollector.Reporter1))));
            File.Move(first.LogPath, first.LogPath + ".1");
            Assert.True(await (await first.WriterAsync()).ReopenAsync());
            await Batches.AcceptedAsync(await first.PostAsync(Batches.Json(Mixed("b", TestCollector.Reporter1))));
        }

        await using var sut = await TestCollector.StartAsync(Dir);

        Assert.True(sut.State.StartedFromSnapshot);
        Assert.Equal(0, sut.State.Startup!.Value.Lines);
        Assert.Equal(StateLog.Dump(Replay(sut.LogPath).Store), StateLog.Dump(sut.State.Store));
    }

    [Fact]
    public async Task AppendUnbatched_CompatibilityReports_InTheStateAndEqualToReplay()
    {
        var feed = StateLog.Recover(Dir);
        var log = Path.GetFullPath(StateLog.Options(Dir).Log);
        await using (var writer = KarmaLogWriter.Open(log, new BatchIdIndex(TimeSpan.FromDays(7)), TimeProvider.System, NullLogger.Instance, observer: feed))
        {
            var report = new ReportEntry(Verb.Black, IpSubject.Parse("203.0.113.9"), 1, Batches.First, Batches.Last, "seed");
            await writer.AppendUnbatchedAsync("compat-host", [report], CancellationToken.None);
            await writer.AppendAsync(new BatchKey(TestCollector.Reporter1, "b1"), [report with { Reason = null }], CancellationToken.None);
        }

        Assert.True(feed.Store.TryGet(IpSubject.Parse("203.0.113.9"), out var state));
        Assert.Equal(2u, state.BlackCount);
        Assert.Equal(2, state.ReporterCount);
        Assert.Equal(StateLog.Dump(Replay(log).Store), StateLog.Dump(feed.Store));
    }

    private static ReportBatch Mixed(string id, string reporter) => new()
    {
        Reporter = reporter,
        Batch = id,
        Reports =
        [
            Batches.Report(1),
            Batches.Report(2, verb: "white", reason: "customer \"x\""),
            Batches.Report(3, reason: null, count: 1),
            Batches.Report(1, reason: $"spam {id}", count: 2) with { Subject = "2001:db8::" + id },
        ],
    };

    /// <summary>A fresh state from a copy of the log files (no snapshot).</summary>
    private SubjectStateFeed Replay(string logPath)
    {
        var other = Path.Combine(Dir, "replay-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(other, "log"));
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(logPath)!))
        {
            File.Copy(file, Path.Combine(other, "log", Path.GetFileName(file)));
        }

        return StateLog.Recover(other);
    }
}
