using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Storage;

public sealed class KarmaLogWriterTests : TempDirectory
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, 250, TimeSpan.Zero));

    private string LogPath => Path.Combine(Dir, "log", "karma.log");

    private static ReportEntry[] Reports(int n) =>
        [.. Enumerable.Range(1, n).Select(i => new ReportEntry(Verb.Black, IpSubject.FromIPv4(0xC0000200u + (uint)i), 1, Batches.First, Batches.Last, "r"))];

    private KarmaLogWriter Open(Task? gate = null) =>
        KarmaLogWriter.Open(LogPath, new BatchIdIndex(TimeSpan.FromDays(7)), _time, NullLogger.Instance, gate);

    [Fact]
    public async Task AppendAsync_QueuedBatches_AreCommittedWithOneSync()
    {
        var gate = new TaskCompletionSource();
        await using var sut = Open(gate.Task);
        var appends = Enumerable.Range(0, 20).Select(i => sut.AppendAsync(new BatchKey("mx1", $"b{i}"), Reports(3), default)).ToArray();

        gate.SetResult();
        var results = await Task.WhenAll(appends);

        Assert.All(results, r => Assert.Equal(new AppendResult(3, Duplicate: false), r));
        Assert.Equal(1, sut.SyncCount);
        Assert.Equal(20, sut.BatchesAppended);
        var lines = File.ReadAllLines(LogPath);
        Assert.Equal(60, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("2026-11-27T08:00:00.250Z mx1 black 192.0.2.", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppendAsync_SameBatchTwiceInOneGroup_AppendsOnce()
    {
        var gate = new TaskCompletionSource();
        await using var sut = Open(gate.Task);
        var first = sut.AppendAsync(new BatchKey("mx1", "same"), Reports(2), default);
        var second = sut.AppendAsync(new BatchKey("MX1", "same"), Reports(2), default);

        gate.SetResult();

        Assert.Equal(new AppendResult(2, Duplicate: false), await first);
        Assert.Equal(new AppendResult(2, Duplicate: true), await second);
        Assert.Equal(2, File.ReadAllLines(LogPath).Length);
        Assert.Equal(1, sut.DuplicateBatches);
    }

    [Fact]
    public async Task AppendAsync_KnownBatch_IsDuplicateWithoutSync()
    {
        await using var sut = Open();
        await sut.AppendAsync(new BatchKey("mx1", "b"), Reports(4), default);

        var again = await sut.AppendAsync(new BatchKey("mx1", "b"), Reports(1), default);

        Assert.Equal(new AppendResult(4, Duplicate: true), again);
        Assert.Equal(1, sut.SyncCount);
        Assert.Equal(4, File.ReadAllLines(LogPath).Length);
    }

    [Fact]
    public async Task ReopenAsync_AfterRename_WritesToANewFile()
    {
        await using var sut = Open();
        await sut.AppendAsync(new BatchKey("mx1", "before"), Reports(1), default);
        File.Move(LogPath, LogPath + ".1");

        await sut.AppendAsync(new BatchKey("mx1", "between"), Reports(1), default);
        await sut.ReopenAsync();
        await sut.AppendAsync(new BatchKey("mx1", "after"), Reports(1), default);

        var rotated = File.ReadAllLines(LogPath + ".1");
        Assert.Equal(2, rotated.Length);
        Assert.Contains("batch=between ", rotated[1], StringComparison.Ordinal);
        var current = Assert.Single(File.ReadAllLines(LogPath));
        Assert.Contains("batch=after ", current, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_ClockGoesBack_TimesNeverDecrease()
    {
        var clock = new SteppedClock { Now = _time.GetUtcNow() };
        await using var sut = KarmaLogWriter.Open(LogPath, new BatchIdIndex(TimeSpan.FromDays(7)), clock, NullLogger.Instance);
        await sut.AppendAsync(new BatchKey("mx1", "a"), Reports(1), default);
        clock.Now = clock.Now.AddMinutes(-5); // FakeTimeProvider refuses to go back; an NTP step does not

        await sut.AppendAsync(new BatchKey("mx1", "b"), Reports(1), default);

        var lines = File.ReadAllLines(LogPath);
        Assert.Equal(lines[0][..24], lines[1][..24]);
    }

    [Fact]
    public async Task DisposeAsync_ThenAppend_Throws()
    {
        var sut = Open();
        await sut.DisposeAsync();

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => sut.AppendAsync(new BatchKey("mx1", "late"), Reports(1), default));
    }

    private sealed class SteppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
