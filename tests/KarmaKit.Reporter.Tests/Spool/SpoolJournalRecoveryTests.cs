using KarmaKit.Reporter.Spool;
using static KarmaKit.Reporter.Tests.Spool.TempSpool;

namespace KarmaKit.Reporter.Tests.Spool;

public sealed class SpoolJournalRecoveryTests : IDisposable
{
    private readonly TempSpool _spool = new();

    public void Dispose() => _spool.Dispose();

    public enum Tear
    {
        HalfRecord,
        Garbage,
        FlippedChecksum,
    }

    [Theory]
    [InlineData(Tear.HalfRecord)]
    [InlineData(Tear.Garbage)]
    [InlineData(Tear.FlippedChecksum)]
    public async Task Open_TornTail_KeepsWholeRecordsSetsTailAsideAndAppendsAfterIt(Tear tear)
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 5);
        }

        var segment = _spool.Segments().Single();
        var whole = new FileInfo(segment).Length;
        var tail = TornBytes(tear, sequence: 6);
        using (var file = File.OpenWrite(segment))
        {
            file.Seek(0, SeekOrigin.End);
            file.Write(tail);
        }

        await using var sut = _spool.Open();
        var next = await AppendAsync(sut, Entry("203.0.113.5", "after the tear"));

        Assert.Equal([1L, 2, 3, 4, 5, 6], ReadAll(sut).Select(r => r.Sequence));
        Assert.Equal(6, next);
        var torn = Assert.Single(Directory.GetFiles(_spool.Torn));
        Assert.Equal($"{Path.GetFileName(segment)}.{whole}.torn", Path.GetFileName(torn));
        Assert.Equal(tail, File.ReadAllBytes(torn));
        Assert.Equal(1, _spool.Logger.Count(2001));
    }

    [Fact]
    public async Task Open_DamagedRecordInMiddle_KeepsRecordsBeforeItAndNeverReusesLaterSequences()
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 3);
        }

        var segment = _spool.Segments().Single();
        var bytes = File.ReadAllBytes(segment);
        var recordSize = (bytes.Length - SpoolRecordCodec.SegmentHeaderSize) / 3;
        var second = SpoolRecordCodec.SegmentHeaderSize + recordSize;
        bytes[second + 30] ^= 0x40;
        File.WriteAllBytes(segment, bytes);

        await using var sut = _spool.Open();

        Assert.Equal([1L], ReadAll(sut).Select(r => r.Sequence));
        Assert.Equal(2 * recordSize, new FileInfo(Assert.Single(Directory.GetFiles(_spool.Torn))).Length);
        Assert.Equal(second, new FileInfo(segment).Length);
        Assert.Equal(4, await AppendAsync(sut, Entry("192.0.2.1")));
        Assert.Equal(1, _spool.Logger.Count(2014));
    }

    [Fact]
    public async Task Open_SegmentWithTornHeader_IsRepairedAndUsable()
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 2);
        }

        File.WriteAllBytes(Path.Combine(_spool.Journal, "00000000000000000003.seg"), "KKS"u8.ToArray());

        await using var sut = _spool.Open();
        var next = await AppendAsync(sut, Entry("192.0.2.1"));

        Assert.Equal(3, next);
        Assert.Equal([1L, 2, 3], ReadAll(sut).Select(r => r.Sequence));
        Assert.Single(Directory.GetFiles(_spool.Torn));
    }

    [Fact]
    public async Task Open_RecordWithSequenceNotIncreasing_IsSetAside()
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 2);
        }

        var segment = _spool.Segments().Single();
        using (var file = File.OpenWrite(segment))
        {
            file.Seek(0, SeekOrigin.End);
            file.Write(Record(sequence: 2));
        }

        await using var sut = _spool.Open();

        Assert.Equal([1L, 2], ReadAll(sut).Select(r => r.Sequence));
        Assert.Single(Directory.GetFiles(_spool.Torn));
    }

    [Fact]
    public async Task Open_CleanSpool_SetsNothingAside()
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 2);
        }

        await using var sut = _spool.Open();

        Assert.Empty(Directory.GetFiles(_spool.Torn));
        Assert.Equal(0, _spool.Logger.Count(2001));
    }

    [Fact]
    public async Task Open_ZerosAfterLastRecord_AreTheSegmentsEndNotATear()
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 5);
        }

        // What an agent killed with zeroed-ahead space in its active segment leaves behind.
        var segment = _spool.Segments().Single();
        var whole = new FileInfo(segment).Length;
        AppendToFile(segment, new byte[40_000]);

        await using var sut = _spool.Open();
        var next = await AppendAsync(sut, Entry("203.0.113.5"));

        Assert.Equal(6, next);
        Assert.Equal([1L, 2, 3, 4, 5, 6], ReadAll(sut).Select(r => r.Sequence));
        Assert.Empty(Directory.GetFiles(_spool.Torn));
        Assert.Equal(0, _spool.Logger.Count(2001));
        await sut.DisposeAsync();
        Assert.Equal(whole + SpoolRecordCodec.SizeOf(Entry("203.0.113.5")), new FileInfo(segment).Length);
    }

    [Theory]
    [InlineData(Tear.HalfRecord)]
    [InlineData(Tear.Garbage)]
    [InlineData(Tear.FlippedChecksum)]
    public async Task Open_TornTailFollowedByZeros_SetsAsideTheTornBytesOnly(Tear tear)
    {
        await using (var first = _spool.Open())
        {
            await AppendManyAsync(first, 3);
        }

        var segment = _spool.Segments().Single();
        var whole = new FileInfo(segment).Length;
        var tail = TornBytes(tear, sequence: 4);
        AppendToFile(segment, [.. tail, .. new byte[70_000]]);

        await using var sut = _spool.Open();

        Assert.Equal([1L, 2, 3], ReadAll(sut).Select(r => r.Sequence));
        var torn = Assert.Single(Directory.GetFiles(_spool.Torn));
        Assert.Equal(tail.AsSpan(0, tail.AsSpan().LastIndexOfAnyExcept((byte)0) + 1).ToArray(), File.ReadAllBytes(torn));
        Assert.Equal(whole, new FileInfo(segment).Length);
        Assert.Equal(4, await AppendAsync(sut, Entry("192.0.2.1")));
        Assert.Equal(1, _spool.Logger.Count(2001));
    }

    private static void AppendToFile(string path, byte[] bytes)
    {
        using var file = File.OpenWrite(path);
        file.Seek(0, SeekOrigin.End);
        file.Write(bytes);
    }

    private static byte[] TornBytes(Tear tear, long sequence)
    {
        var record = Record(sequence);
        switch (tear)
        {
            case Tear.HalfRecord:
                return record[..(record.Length / 2)];
            case Tear.Garbage:
                return [0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37, 0x42];
            default:
                record[5] ^= 0x01;
                return record;
        }
    }

    private static byte[] Record(long sequence)
    {
        var entry = Entry("198.51.100.1", "never acknowledged");
        var bytes = new byte[SpoolRecordCodec.SizeOf(entry)];
        SpoolRecordCodec.Write(bytes, sequence, 1_764_177_538_123, entry);
        return bytes;
    }
}
