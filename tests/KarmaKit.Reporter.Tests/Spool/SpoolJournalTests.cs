using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using static KarmaKit.Reporter.Tests.Spool.TempSpool;

namespace KarmaKit.Reporter.Tests.Spool;

public sealed class SpoolJournalTests : IDisposable
{
    private readonly TempSpool _spool = new();

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task AppendAsync_ThenRead_ReturnsEqualRecords()
    {
        await using var sut = _spool.Open();

        var first = await AppendAsync(sut, Entry("192.0.2.1", "virus Eicar-Test-Signature"));
        await AppendAsync(sut, Entry("2001:db8::1", verb: Verb.White));

        var records = ReadAll(sut);
        Assert.Equal(1, first);
        Assert.Equal(2, records.Count);
        Assert.Equal(new SpoolRecord(1, _spool.Time.GetUtcNow().UtcDateTime, Verb.Black, IpSubject.Parse("192.0.2.1"), "virus Eicar-Test-Signature"), records[0]);
        Assert.Equal(new SpoolRecord(2, _spool.Time.GetUtcNow().UtcDateTime, Verb.White, IpSubject.Parse("2001:db8::1"), null), records[1]);
        Assert.Equal(DateTimeKind.Utc, records[0].Received.Kind);
    }

    [Fact]
    public async Task AppendAsync_MultipleEntries_GetConsecutiveSequences()
    {
        await using var sut = _spool.Open();
        await AppendAsync(sut, Entry("192.0.2.1"));

        var first = await AppendAsync(sut, Entry("192.0.2.2", "a"), Entry("192.0.2.3", "b"), Entry("192.0.2.4", "c"));

        Assert.Equal(2, first);
        Assert.Equal([1L, 2, 3, 4], ReadAll(sut).Select(r => r.Sequence));
        Assert.Equal(["192.0.2.2", "192.0.2.3", "192.0.2.4"], ReadAll(sut, after: 1).Select(r => r.Subject.ToString()));
    }

    [Fact]
    public async Task Open_AfterReopen_KeepsRecordsAndContinuesSequences()
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 3);
        }

        await using var sut = _spool.Open();
        var next = await AppendAsync(sut, Entry("198.51.100.7", "auth-bruteforce"));

        Assert.Equal(4, next);
        Assert.Equal([1L, 2, 3, 4], ReadAll(sut).Select(r => r.Sequence));
        Assert.Equal("auth-bruteforce", ReadAll(sut)[^1].Reason);
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrent_ShareFsyncs()
    {
        await using var sut = _spool.Open();
        const int Appends = 200;

        var tasks = Enumerable.Range(1, Appends).Select(i => sut.AppendAsync(new[] { Entry($"10.1.0.{i}") }, CancellationToken.None).AsTask()).ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal(AppendStatus.Ok, r.Status));
        Assert.Equal(Enumerable.Range(1, Appends).Select(i => (long)i), results.Select(r => r.FirstSequence).Order());
        Assert.InRange(sut.FlushCount, 1, Appends / 4);
        Assert.Equal(Appends, ReadAll(sut).Count);
    }

    [Fact]
    public async Task AppendAsync_AfterTheFirstGroup_SyncsDataOnlyIntoZeroedAheadSpace()
    {
        var sut = _spool.Open();
        await AppendManyAsync(sut, 10);
        var segment = _spool.Segments().Single();

        Assert.Equal(10, sut.FlushCount);
        Assert.Equal(9, sut.DataFlushCount); // the first grew the file: a full fsync, then zeros were written ahead
        Assert.Equal(_spool.Options.SegmentBytes, new FileInfo(segment).Length);
        Assert.Equal(new byte[_spool.Options.SegmentBytes - sut.TotalBytes], File.ReadAllBytes(segment)[(int)sut.TotalBytes..]);

        await sut.DisposeAsync();
        Assert.Equal(SpoolRecordCodec.SegmentHeaderSize + (10 * SpoolRecordCodec.SizeOf(Entry("10.0.0.1", "spam score=12.3"))), new FileInfo(segment).Length);
    }

    [Fact]
    public async Task AppendAsync_WriteDurability_AcknowledgesWithoutFsyncAndSurvivesReopen()
    {
        _spool.Options = new JournalOptions { Durability = Durability.Write, SegmentBytes = 64 * 1024, MaxBytes = 1L << 20 };
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 5);
            Assert.Equal(0, first.FlushCount);
            Assert.Equal(5, ReadAll(first).Count);
        }

        await using var sut = _spool.Open();
        Assert.Equal(5, ReadAll(sut).Count);
    }

    [Fact]
    public async Task Open_DirectoryInUse_IsRefused()
    {
        await using var first = _spool.Open();

        var ex = Assert.Throws<IOException>(() => _spool.Open());

        Assert.Contains("in use by another karmakit-reporter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_AfterDispose_LockIsReleased()
    {
        var first = _spool.Open();
        await first.DisposeAsync();

        await using var sut = _spool.Open();

        Assert.Equal(16, sut.SpoolId.Length);
        Assert.Equal(first.SpoolId, sut.SpoolId);
    }

    [Fact]
    public async Task DisposeAsync_WithAppendsQueued_DrainsThemDurably()
    {
        var sut = _spool.Open();
        var tasks = Enumerable.Range(1, 50).Select(i => sut.AppendAsync(new[] { Entry($"10.2.0.{i}") }, CancellationToken.None).AsTask()).ToArray();

        await sut.DisposeAsync();
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal(AppendStatus.Ok, r.Status));
        await using var reopened = _spool.Open();
        Assert.Equal(50, ReadAll(reopened).Count);
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ReturnsUnavailable()
    {
        var sut = _spool.Open();
        await sut.DisposeAsync();

        var result = await sut.AppendAsync(new[] { Entry("192.0.2.1") }, CancellationToken.None);

        Assert.Equal(AppendStatus.Unavailable, result.Status);
    }

    [Fact]
    public async Task WaitForRecordsAsync_NoNewRecord_CompletesOnAppend()
    {
        await using var sut = _spool.Open();
        await AppendAsync(sut, Entry("192.0.2.1"));

        var wait = sut.WaitForRecordsAsync(1, CancellationToken.None).AsTask();
        Assert.True(sut.WaitForRecordsAsync(0, CancellationToken.None).AsTask().IsCompletedSuccessfully);
        Assert.False(wait.IsCompleted);
        await AppendAsync(sut, Entry("192.0.2.2"));
        await wait;
    }

    [Fact]
    public async Task Read_InSmallStepsAcrossSegments_ReturnsEveryRecordInOrder()
    {
        _spool.Options = new JournalOptions { SegmentBytes = 512, MaxBytes = 1L << 20 };
        await using var sut = _spool.Open();
        await AppendManyAsync(sut, 60);

        var records = ReadAll(sut);
        var middle = new List<SpoolRecord>();
        sut.Read(20, 25, 100, middle);

        Assert.True(_spool.Segments().Length > 3);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal([21L, 22, 23, 24, 25], middle.Select(r => r.Sequence));
    }

    [Fact]
    public async Task Read_InterleavedWithAppendsAndRollovers_MissesNothing()
    {
        _spool.Options = new JournalOptions { SegmentBytes = 512, MaxBytes = 1L << 20 };
        await using var sut = _spool.Open();
        var records = new List<SpoolRecord>();

        for (var round = 0; round < 12; round++)
        {
            await AppendManyAsync(sut, 3 + round);
            while (sut.Read(records.Count == 0 ? 0 : records[^1].Sequence, long.MaxValue, 4, records) > 0)
            {
            }
        }

        Assert.True(_spool.Segments().Length > 3);
        Assert.Equal(Enumerable.Range(1, 102).Select(i => (long)i), records.Select(r => r.Sequence));
    }

    [Fact]
    public async Task Open_CopyOfRunningSpool_HasEveryAcknowledgedReportAndThePendingBatch()
    {
        // What kill -9 leaves behind: the files as they are, with no close and no final flush.
        _spool.Options = new JournalOptions { SegmentBytes = 512, MaxBytes = 1L << 20 };
        await using var running = _spool.Open();
        await AppendManyAsync(running, 30);
        var batch = new InFlightBatch("b", 11, 20);
        running.CompleteBatch(new InFlightBatch("a", 1, 10), BatchOutcome.Delivered);
        running.BeginBatch(batch);
        using var copy = new TempSpool { Options = _spool.Options };
        foreach (var file in Directory.GetFiles(_spool.Directory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            var target = Path.Combine(copy.Directory, Path.GetRelativePath(_spool.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        await using var sut = copy.Open();

        Assert.Equal(running.SpoolId, sut.SpoolId);
        Assert.Equal(batch, sut.PendingBatch);
        Assert.Equal(10, sut.DeliveredThrough);
        Assert.Equal(Enumerable.Range(11, 20).Select(i => (long)i), ReadAll(sut).Select(r => r.Sequence));
        Assert.Equal(31, await AppendAsync(sut, Entry("192.0.2.1")));
    }

    [Fact]
    public async Task AppendAsync_ReasonTooLong_Throws()
    {
        await using var sut = _spool.Open();

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await sut.AppendAsync(new[] { Entry("192.0.2.1", new string('x', 201)) }, CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_AlreadyCancelled_ThrowsAndWritesNothing()
    {
        await using var sut = _spool.Open();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await sut.AppendAsync(new[] { Entry("192.0.2.1") }, new CancellationToken(canceled: true)));
        Assert.Equal(0, sut.CommittedSequence);
    }

    [Fact]
    public async Task Open_EverySegmentDeleted_SequencesStayUnique()
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 4);
            first.BeginBatch(new InFlightBatch("b1", 1, 4));
            first.CompleteBatch(new InFlightBatch("b1", 1, 4), BatchOutcome.Delivered);
        }

        foreach (var segment in _spool.Segments())
        {
            File.Delete(segment);
        }

        await using var sut = _spool.Open();
        var wait = sut.WaitForRecordsAsync(sut.DeliveredThrough, CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        Assert.Equal(5, await AppendAsync(sut, Entry("192.0.2.9")));
        await wait;
    }
}
