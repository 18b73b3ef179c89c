using System.Text;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Storage;

/// <summary>Reports without a batch id (the compatibility wire) in the group-commit writer.</summary>
public sealed class KarmaLogWriterUnbatchedTests : TempDirectory
{
    private static readonly DateTime Seen = new(2026, 11, 27, 7, 59, 59, 999, DateTimeKind.Utc);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, 250, TimeSpan.Zero));

    private string LogPath => Path.Combine(Dir, "log", "karma.log");

    private static ReportEntry[] Reports(int n, string? reason = null) =>
        [.. Enumerable.Range(1, n).Select(i => new ReportEntry(Verb.Black, IpSubject.FromIPv4(0xC0000200u + (uint)i), 1, Seen, Seen, reason))];

    [Fact]
    public async Task AppendUnbatchedAsync_SameReportsTwice_AppendedTwiceWithoutBatchFields()
    {
        var ids = new BatchIdIndex(TimeSpan.FromDays(7));
        await using var sut = KarmaLogWriter.Open(LogPath, ids, _time, NullLogger.Instance);

        var first = await sut.AppendUnbatchedAsync("legacy", Reports(1, "virus x"), default);
        var second = await sut.AppendUnbatchedAsync("legacy", Reports(1, "virus x"), default);

        Assert.Equal(new AppendResult(1, Duplicate: false), first);
        Assert.Equal(first, second);
        var line = "2026-11-27T08:00:00.250Z legacy black 192.0.2.1 count=1 first=2026-11-27T07:59:59.999Z last=2026-11-27T07:59:59.999Z reason=\"virus x\"";
        Assert.Equal([line, line], File.ReadAllLines(LogPath));
        Assert.Equal(0, ids.Count);
        Assert.Equal((0L, 2L, 0L), (sut.BatchesAppended, sut.ReportsAppended, sut.DuplicateBatches));
    }

    [Fact]
    public async Task AppendUnbatchedAsync_WithBatchesInOneGroup_OneSyncAndMetricsObserved()
    {
        var gate = new TaskCompletionSource();
        var metrics = new CollectorMetrics();
        await using var sut = KarmaLogWriter.Open(LogPath, new BatchIdIndex(TimeSpan.FromDays(7)), _time, NullLogger.Instance, gate.Task, metrics);
        var batch = sut.AppendAsync(new BatchKey("mx1", "b1"), Reports(2), default);
        var compat = sut.AppendUnbatchedAsync("legacy", Reports(1), default);
        var again = sut.AppendAsync(new BatchKey("mx1", "b1"), Reports(2), default);

        gate.SetResult();
        await Task.WhenAll(batch, compat, again);

        Assert.True((await again).Duplicate);
        Assert.Equal(1, sut.SyncCount);
        Assert.Equal((1L, 3L, 1L), (sut.BatchesAppended, sut.ReportsAppended, sut.DuplicateBatches));
        Assert.Equal(3, File.ReadAllLines(LogPath).Length);
        Assert.Equal(1, metrics.FsyncSeconds.Count);
        Assert.Equal(1, metrics.GroupCommitSize.Count);
        Assert.Equal(3, metrics.GroupCommitSize.Sum);
    }

    [Fact]
    public void Recover_UnbatchedLastLine_IsCompleteAndKept()
    {
        var content = "2026-11-26T17:19:03.004Z mx1 black 192.0.2.1 count=1 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch=a size=1\n"
            + "2026-11-26T17:19:04.000Z legacy black 192.0.2.2 count=1 first=2026-11-26T17:19:04.000Z last=2026-11-26T17:19:04.000Z\n";
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        File.WriteAllText(LogPath, content, new UTF8Encoding(false));

        var sideFile = KarmaLogRecovery.Recover(LogPath, 100, _time.GetUtcNow().UtcDateTime, NullLogger.Instance);

        Assert.Null(sideFile);
        Assert.Equal(content, File.ReadAllText(LogPath));
    }
}
