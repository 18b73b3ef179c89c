using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using static KarmaKit.Reporter.Tests.Spool.TempSpool;

namespace KarmaKit.Reporter.Tests.Spool;

public sealed class SpoolInspectorTests : IDisposable
{
    private readonly TempSpool _spool = new();

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task Inspect_WhileJournalOpen_ReportsQueueAndDelivery()
    {
        _spool.Options = new JournalOptions { SegmentBytes = 512, MaxBytes = 1L << 20 };
        await using var journal = _spool.Open();
        await AppendManyAsync(journal, 5);
        _spool.Time.Advance(TimeSpan.FromSeconds(30));
        var sixthReceived = _spool.Time.GetUtcNow().UtcDateTime;
        await AppendManyAsync(journal, 35);
        _spool.Time.Advance(TimeSpan.FromSeconds(30));
        var batch = new InFlightBatch("b", 1, 4);
        journal.BeginBatch(batch);
        journal.CompleteBatch(batch, BatchOutcome.Delivered);
        var dead = new InFlightBatch("d", 5, 5);
        journal.BeginBatch(dead);
        journal.WriteDeadLetter(dead, "{}", "400");
        journal.CompleteBatch(dead, BatchOutcome.DeadLettered);
        var pending = new InFlightBatch("p", 6, 9);
        journal.BeginBatch(pending);

        var sut = SpoolInspector.Inspect(_spool.Directory);

        Assert.Equal(journal.SpoolId, sut.SpoolId);
        Assert.Equal(35, sut.QueueDepth);
        Assert.Equal(5, sut.DeliveredThrough);
        Assert.Equal(40, sut.LastSequence);
        Assert.Equal(sixthReceived, sut.OldestUndelivered);
        Assert.Equal(_spool.Time.GetUtcNow().UtcDateTime, sut.LastDelivery);
        Assert.Equal(1, sut.DeadLetteredBatches);
        Assert.Equal(pending, sut.PendingBatch);
        Assert.Equal(_spool.Segments().Length, sut.SegmentCount);
        Assert.Equal(journal.SegmentCount, sut.SegmentCount);
        Assert.Equal(journal.TotalBytes, sut.JournalBytes);
        Assert.True(_spool.Segments().Sum(s => new FileInfo(s).Length) > sut.JournalBytes); // zeroed-ahead space not counted
    }

    [Fact]
    public async Task Inspect_EverythingDelivered_ReportsEmptyQueue()
    {
        await using (var journal = _spool.Open())
        {
            await AppendManyAsync(journal, 3);
            journal.BeginBatch(new InFlightBatch("b", 1, 3));
            journal.CompleteBatch(new InFlightBatch("b", 1, 3), BatchOutcome.Delivered);
        }

        var sut = SpoolInspector.Inspect(_spool.Directory);

        Assert.Equal(0, sut.QueueDepth);
        Assert.Null(sut.OldestUndelivered);
        Assert.Equal(3, sut.LastSequence);
        Assert.Equal(1, sut.SegmentCount);
    }

    [Fact]
    public void Inspect_NoSpool_ReportsNothing()
    {
        var sut = SpoolInspector.Inspect(Path.Combine(_spool.Directory, "missing"));

        Assert.Equal(new SpoolStatus(null, 0, null, null, 0, 0, 0, 0, 0, null), sut);
    }
}
