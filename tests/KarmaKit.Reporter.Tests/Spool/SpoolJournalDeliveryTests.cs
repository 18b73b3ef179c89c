using System.Text.Json;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Logging;
using static KarmaKit.Reporter.Tests.Spool.TempSpool;

namespace KarmaKit.Reporter.Tests.Spool;

public sealed class SpoolJournalDeliveryTests : IDisposable
{
    private readonly TempSpool _spool = new();

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task BeginBatch_ThenReopen_PendingBatchSurvives()
    {
        var batch = new InFlightBatch("0123456789abcdef-1-3", 1, 3);
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 5);
            first.BeginBatch(batch);
        }

        await using var sut = _spool.Open();

        Assert.Equal(batch, sut.PendingBatch);
        Assert.Equal(0, sut.DeliveredThrough);
        Assert.Equal([1L, 2, 3], ReadAllThrough(sut, 0, 3));
    }

    [Fact]
    public async Task CompleteBatch_ThenReopen_WatermarkAdvancedAndDeliveredRecordsSkipped()
    {
        var batch = new InFlightBatch("b", 1, 3);
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 5);
            first.BeginBatch(batch);
            _spool.Time.Advance(TimeSpan.FromSeconds(2));
            first.CompleteBatch(batch, BatchOutcome.Delivered);
            Assert.Equal(3, first.DeliveredThrough);
            Assert.Null(first.PendingBatch);
        }

        await using var sut = _spool.Open();

        Assert.Equal(3, sut.DeliveredThrough);
        Assert.Null(sut.PendingBatch);
        Assert.Equal(_spool.Time.GetUtcNow().UtcDateTime, sut.LastDelivery);
        Assert.Equal([4L, 5], ReadAll(sut).Select(r => r.Sequence));
    }

    [Fact]
    public async Task CompleteBatch_SegmentsFreedOnlyAfterDeliveryAndNeverTheActiveOne()
    {
        _spool.Options = new JournalOptions { SegmentBytes = 512, MaxBytes = 1L << 20 };
        await using var sut = _spool.Open();
        await AppendManyAsync(sut, 40);
        var segments = _spool.Segments();
        var firstOfSecond = long.Parse(Path.GetFileNameWithoutExtension(segments[1]), System.Globalization.CultureInfo.InvariantCulture);

        sut.BeginBatch(new InFlightBatch("all", 1, 40));
        Assert.Equal(segments, _spool.Segments());
        sut.CompleteBatch(new InFlightBatch("part", 1, firstOfSecond - 1), BatchOutcome.Delivered);
        Assert.Equal(segments[1..], _spool.Segments());
        sut.CompleteBatch(new InFlightBatch("all", firstOfSecond, 40), BatchOutcome.Delivered);

        Assert.True(segments.Length > 3);
        Assert.Equal([segments[^1]], _spool.Segments());
        Assert.Equal(1, sut.SegmentCount);
        var recordBytes = SpoolRecordCodec.SizeOf(Entry("10.0.0.1", "spam score=12.3"));
        var inLast = 40 - long.Parse(Path.GetFileNameWithoutExtension(segments[^1]), System.Globalization.CultureInfo.InvariantCulture) + 1;
        Assert.Equal(SpoolRecordCodec.SegmentHeaderSize + (inLast * recordBytes), sut.TotalBytes);
        Assert.Equal(41, await AppendAsync(sut, Entry("192.0.2.1")));
    }

    [Fact]
    public async Task AppendAsync_SpoolFull_RefusesWithoutWritingAndLogsLoudly()
    {
        _spool.Options = new JournalOptions { SegmentBytes = 1024, MaxBytes = 2048 };
        await using var sut = _spool.Open();
        AppendResult result;
        var appended = 0;
        while ((result = await sut.AppendAsync(new[] { Entry("192.0.2.1", "spam score=12.3") }, CancellationToken.None)).Status == AppendStatus.Ok)
        {
            appended++;
        }

        var files = _spool.Segments().Select(File.ReadAllBytes).ToArray();
        var again = await sut.AppendAsync(new[] { Entry("192.0.2.2") }, CancellationToken.None);

        Assert.Equal(AppendStatus.SpoolFull, result.Status);
        Assert.Equal(AppendStatus.SpoolFull, again.Status);
        Assert.Equal(files, _spool.Segments().Select(File.ReadAllBytes).ToArray());
        Assert.InRange(sut.TotalBytes, 1024, 2048);
        Assert.InRange(files.Sum(f => f.Length), sut.TotalBytes, 2048); // zeroed-ahead space stays under the cap too
        Assert.Equal(appended, ReadAll(sut).Count);
        Assert.Single(_spool.Logger.Entries, e => e.Id.Id == 2002 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task AppendAsync_SpoolFullThenDelivered_AcceptsAgain()
    {
        _spool.Options = new JournalOptions { SegmentBytes = 1024, MaxBytes = 2048 };
        await using var sut = _spool.Open();
        while ((await sut.AppendAsync(new[] { Entry("192.0.2.1", "spam score=12.3") }, CancellationToken.None)).Status == AppendStatus.Ok)
        {
        }

        _spool.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(AppendStatus.SpoolFull, (await sut.AppendAsync(new[] { Entry("192.0.2.2") }, CancellationToken.None)).Status);
        var last = sut.CommittedSequence;
        sut.BeginBatch(new InFlightBatch("b", 1, last));
        sut.CompleteBatch(new InFlightBatch("b", 1, last), BatchOutcome.Delivered);

        Assert.Equal(last + 1, await AppendAsync(sut, Entry("192.0.2.3")));
        Assert.Equal(1, _spool.Logger.Count(2003));
        Assert.Single(_spool.Logger.Entries, e => e.Id.Id == 2004 && e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task WriteDeadLetter_ThenCompleteBatch_IsDurableAndCounted()
    {
        var batch = new InFlightBatch("b-1-2", 1, 2);
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 3);
            first.BeginBatch(batch);
            first.WriteDeadLetter(batch, """{"reporter":"mx1","batch":"b-1-2","reports":[]}""", "400 reports must not be empty");
            first.CompleteBatch(batch, BatchOutcome.DeadLettered);
        }

        await using var sut = _spool.Open();
        var line = Assert.Single(File.ReadAllLines(Path.Combine(_spool.Directory, "deadletter.jsonl")));
        using var json = JsonDocument.Parse(line);

        Assert.Equal(1, sut.DeadLetteredBatches);
        Assert.Equal(2, sut.DeliveredThrough);
        Assert.Null(sut.LastDelivery);
        Assert.Equal("b-1-2", json.RootElement.GetProperty("batch").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("firstSequence").GetInt64());
        Assert.Equal(2, json.RootElement.GetProperty("lastSequence").GetInt64());
        Assert.Equal("400 reports must not be empty", json.RootElement.GetProperty("reason").GetString());
        Assert.Contains("\"reports\":[]", json.RootElement.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal(_spool.Time.GetUtcNow().UtcDateTime, json.RootElement.GetProperty("time").GetDateTime());
    }

    [Fact]
    public async Task BeginBatch_BeyondDurableRecords_Throws()
    {
        await using var sut = _spool.Open();
        await AppendManyAsync(sut, 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => sut.BeginBatch(new InFlightBatch("b", 1, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.BeginBatch(new InFlightBatch("b", 2, 1)));
    }

    [Fact]
    public async Task CompleteBatch_Repeated_IsHarmless()
    {
        var batch = new InFlightBatch("b", 1, 2);
        await using var sut = _spool.Open();
        await AppendManyAsync(sut, 3);
        sut.BeginBatch(batch);

        sut.CompleteBatch(batch, BatchOutcome.Delivered);
        sut.CompleteBatch(batch, BatchOutcome.Delivered);

        Assert.Equal(2, sut.DeliveredThrough);
        Assert.Equal([3L], ReadAll(sut).Select(r => r.Sequence));
    }

    private static List<long> ReadAllThrough(SpoolJournal sut, long after, long through)
    {
        var records = new List<SpoolRecord>();
        sut.Read(after, through, 100, records);
        return [.. records.Select(r => r.Sequence)];
    }
}
