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

    public required int OverflowBlocks { get; init; }

    public required ulong[][] Overflow { get; init; }
}

internal sealed partial class SubjectStateStore
{
    internal const int EntriesPerChunk = ChunkSize;
    internal const int OverflowValuesPerChunk = BlocksPerChunk * BlockSlots;
    internal const int OverflowValuesPerBlock = BlockSlots;

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

        var overflow = new ulong[(_overflowBlocks + BlocksPerChunk - 1) / BlocksPerChunk][];
        for (var i = 0; i < overflow.Length; i++)
        {
            var used = Math.Min(BlocksPerChunk, _overflowBlocks - (i * BlocksPerChunk)) * BlockSlots;
            overflow[i] = _overflow[i].AsSpan(0, used).ToArray();
        }

        return new StateImage
        {
            Position = Position,
            Lines = Lines,
            Reporters = Texts(Reporters),
            Reasons = Texts(Reasons),
            Count = _count,
            Entries = entries,
            OverflowBlocks = _overflowBlocks,
            Overflow = overflow,
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

        var chunks = new SubjectEntry[image.Entries.Length][];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = image.Entries[i].Length == ChunkSize ? image.Entries[i] : Grow(image.Entries[i], ChunkSize);
            foreach (ref var e in chunks[i].AsSpan())
            {
                e.Version = 0;
            }
        }

        var overflow = new ulong[image.Overflow.Length][];
        for (var i = 0; i < overflow.Length; i++)
        {
            overflow[i] = Grow(image.Overflow[i], BlocksPerChunk * BlockSlots);
        }

        _chunks = chunks;
        _count = image.Count;
        _overflow = overflow;
        _overflowBlocks = image.OverflowBlocks;
        Rebuild(IndexSizeFor(_count));
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
