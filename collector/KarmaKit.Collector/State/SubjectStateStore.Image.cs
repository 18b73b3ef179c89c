using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KarmaKit.Collector.State;

/// <summary>A copy of the whole store at one log position, for a snapshot file (written or read).</summary>
internal sealed class StateImage
{
    public required LogPosition? Position { get; init; }

    public required long Lines { get; init; }

    public required string[] Reporters { get; init; }

    public required string[] Reasons { get; init; }

    public required int Count { get; init; }

    /// <summary>Entries in chunks; all full but the last, which holds the rest of <see cref="Count"/>.</summary>
    public required SubjectEntry[][] Entries { get; init; }

    /// <summary>Blocks of each overflow size class.</summary>
    public required int[] PoolBlocks { get; init; }

    /// <summary>Per size class, its values in chunks of <see cref="SubjectStateStore.PoolChunkValues"/>, the last one cut to size.</summary>
    public required ulong[][][] Pools { get; init; }

    /// <summary>The operator's standing entries as karma.log lines.</summary>
    public string[] Operator { get; init; } = [];

    /// <summary>The idempotency window <see cref="BatchIds"/> covers; zero when the batch ids were not kept.</summary>
    public TimeSpan BatchWindow { get; set; }

    /// <summary>The batch ids taken up to <see cref="Position"/> (some after it may be there too), in no order.</summary>
    public KeyValuePair<KarmaKit.Collector.Idempotency.BatchKey, KarmaKit.Collector.Idempotency.TakenBatch>[] BatchIds { get; set; } = [];
}

internal sealed partial class SubjectStateStore
{
    internal const int EntriesPerChunk = ChunkSize;
    internal const int PoolChunkValues = ChunkValues;

    /// <summary>Slots of a block of each overflow size class.</summary>
    internal static ReadOnlySpan<int> PoolSlots => ClassSlots;

    /// <summary>Copies the store (writer side, inside <see cref="EnterWrite"/>: a few tens of ms a million subjects).</summary>
    public StateImage Export()
    {
        Debug.Assert(_write.IsHeldByCurrentThread);
        var entries = new SubjectEntry[(_count + ChunkMask) >> ChunkBits][];
        for (var i = 0; i < entries.Length; i++)
        {
            var used = Math.Min(ChunkSize, _count - (i << ChunkBits));
            entries[i] = _chunks[i].AsSpan(0, used).ToArray();
        }

        var pools = new ulong[ClassSlots.Length][][];
        for (var c = 0; c < pools.Length; c++)
        {
            var values = (long)_poolBlocks[c] * ClassSlots[c];
            pools[c] = new ulong[(values + ChunkValues - 1) / ChunkValues][];
            for (var i = 0; i < pools[c].Length; i++)
            {
                pools[c][i] = _pools[c][i].AsSpan(0, (int)Math.Min(ChunkValues, values - ((long)i * ChunkValues))).ToArray();
            }
        }

        return new StateImage
        {
            Position = Position,
            Lines = Lines,
            Reporters = Texts(Reporters),
            Reasons = Texts(Reasons),
            Count = _count,
            Entries = entries,
            PoolBlocks = (int[])_poolBlocks.Clone(),
            Pools = pools,
            Operator = Operator.Lines(),
        };
    }

    /// <summary>Replaces the store's content by an image (at start, before anyone reads).</summary>
    public void Load(StateImage image)
    {
        Debug.Assert(_write.IsHeldByCurrentThread);
        Clear();
        foreach (var name in image.Reporters)
        {
            Reporters.GetOrAdd(name);
        }

        foreach (var reason in image.Reasons)
        {
            Reasons.GetOrAdd(reason);
        }

        var chunks = new EntryChunk[image.Entries.Length];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = new EntryChunk(ChunkSize);
            image.Entries[i].CopyTo(chunks[i].AsSpan());
            foreach (ref var e in chunks[i].AsSpan())
            {
                e.Version = 0;
            }
        }

        var pools = new ulong[ClassSlots.Length][][];
        for (var c = 0; c < pools.Length; c++)
        {
            pools[c] = [.. image.Pools[c].Select(chunk => Grow(chunk, ChunkValues))];
        }

        _chunks = chunks;
        _count = image.Count;
        _pools = pools;
        image.PoolBlocks.CopyTo(_poolBlocks, 0);
        Rebuild(IndexSizeFor(_count));
        if (!Operator.Load(image.Operator))
        {
            throw new InvalidDataException("the snapshot's operator entries do not parse");
        }

        Position = image.Position;
        Lines = image.Lines;
    }

    /// <summary>The bytes of an entry chunk as written to a snapshot.</summary>
    internal static ReadOnlySpan<byte> Bytes(SubjectEntry[] chunk) => MemoryMarshal.AsBytes(chunk.AsSpan());

    private static T[] Grow<T>(T[] array, int length)
    {
        if (array.Length == length)
        {
            return array;
        }

        var grown = new T[length];
        array.CopyTo(grown, 0);
        return grown;
    }

    private static string[] Texts(InternTable table)
    {
        var texts = new string[table.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = table[i + 1];
        }

        return texts;
    }
}
