using System.Diagnostics;
using System.Numerics;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.State;

/// <summary>
/// Per-subject state for the DNSBL, rebuilt from karma.log (<see cref="StateReplayer"/>), kept current by the log
/// writer (<see cref="SubjectStateFeed"/>) and saved in snapshots (<see cref="StateSnapshot"/>).
/// <para>
/// Layout: 64-byte <see cref="SubjectEntry"/> values, one cache line each, in chunks of 65,536 that never move (<see cref="EntryChunk"/>), an open-addressing index of
/// <c>int</c> (entry number + 1) that is rebuilt and swapped when it fills, and overflow pools (blocks of 3, 7 or 15
/// slots, a subject moving up as it gains reporters) for subjects with more than one black reporter. About 75 bytes a
/// subject with one reporter, 8 more per further reporter (rounded up to the block); no object per subject.
/// </para>
/// <para>
/// One writer at a time (<see cref="EnterWrite"/>: the replay at start, then the log writer thread, and the snapshot
/// copy); any number of lock-free readers (<see cref="TryGet"/>), which see each entry whole thanks to its seqlock.
/// </para>
/// </summary>
internal sealed partial class SubjectStateStore
{
    public const int MaxReporters = 16;
    public const int MaxReporterNames = ushort.MaxValue;
    public const int MaxReasons = 1 << 20;

    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private readonly Lock _write = new();
    private EntryChunk[] _chunks = [];
    private int[] _index = new int[1024];
    private int _count;

    /// <summary>Reporter names, case-insensitive, ids 1..65535.</summary>
    public InternTable Reporters { get; private set; } = NewReporters();

    /// <summary>Reason texts, ids 1..<see cref="MaxReasons"/>.</summary>
    public InternTable Reasons { get; private set; } = NewReasons();

    /// <summary>The operator's allow and delist entries from the log (<c>allow</c>, <c>unallow</c>, <c>delist</c> lines).</summary>
    public KarmaKit.Collector.Operator.OperatorLedger Operator { get; } = new();

    /// <summary>Subjects held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Where in the log files the state is complete; null before any line.</summary>
    public LogPosition? Position { get; set; }

    /// <summary>karma.log lines applied since the state began (replayed, live, and those counted in the snapshot).</summary>
    public long Lines { get; set; }

    /// <summary>Takes the writer's lock; every mutation happens inside it.</summary>
    public Lock.Scope EnterWrite() => _write.EnterScope();

    /// <summary>A consistent copy of a subject's state; false when the subject was never reported.</summary>
    public bool TryGet(IpSubject subject, out SubjectState state)
    {
        var number = Find(subject.Value);
        if (number < 0)
        {
            state = default;
            return false;
        }

        state = Read(number);
        return true;
    }

    /// <summary>Every subject held, in insertion order (writer side: call inside <see cref="EnterWrite"/>).</summary>
    public IEnumerable<IpSubject> Subjects()
    {
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _chunks[i >> ChunkBits][i & ChunkMask];
            yield return IpSubject.FromIPv6(new UInt128(e.KeyHigh, e.KeyLow));
        }
    }

    /// <summary>Drops everything (before a full replay after an unusable snapshot).</summary>
    public void Clear()
    {
        Debug.Assert(_write.IsHeldByCurrentThread);
        Volatile.Write(ref _index, new int[1024]);
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _chunks, []);
        ClearOverflow();
        Reporters = NewReporters();
        Reasons = NewReasons();
        Operator.Clear();
        Position = null;
        Lines = 0;
    }

    private static InternTable NewReporters() => new(StringComparer.OrdinalIgnoreCase, MaxReporterNames);

    private static InternTable NewReasons() => new(StringComparer.Ordinal, MaxReasons);

    /// <summary>The home slot of a key: the top bits of a multiplicative hash (index lengths are powers of two).</summary>
    private static int Slot(ulong high, ulong low, int mask)
    {
        var h = (low ^ (high * 0x9E37_79B9_7F4A_7C15UL) ^ (low >> 29)) * 0xBF58_476D_1CE4_E5B9UL;
        return (int)(h >> (64 - BitOperations.PopCount((uint)mask)));
    }

    /// <summary>The entry number of a key, or -1.</summary>
    private int Find(UInt128 key)
    {
        var (high, low) = ((ulong)(key >> 64), (ulong)key);
        var index = Volatile.Read(ref _index);
        var mask = index.Length - 1;
        for (var slot = Slot(high, low, mask); ; slot = (slot + 1) & mask)
        {
            var value = Volatile.Read(ref index[slot]);
            if (value == 0)
            {
                return -1;
            }

            var chunks = Volatile.Read(ref _chunks);
            ref var e = ref chunks[(value - 1) >> ChunkBits][(value - 1) & ChunkMask];
            if (e.KeyLow == low && e.KeyHigh == high)
            {
                return value - 1;
            }
        }
    }

    private SubjectState Read(int number)
    {
        ref var e = ref Volatile.Read(ref _chunks)[number >> ChunkBits][number & ChunkMask];
        var spinner = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref e.Version);
            if ((before & 1) == 0)
            {
                var copy = e;
                var slots = default(ReporterSlots);
                CopyReporters(copy, ref slots);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref e.Version) == before)
                {
                    return new SubjectState(copy, slots);
                }
            }

            spinner.SpinOnce();
        }
    }

    /// <summary>The entry of a key, added (zero but for the key) when new. Writer only.</summary>
    private ref SubjectEntry GetOrAdd(UInt128 key)
    {
        var (high, low) = ((ulong)(key >> 64), (ulong)key);
        var index = _index;
        var mask = index.Length - 1;
        var slot = Slot(high, low, mask);
        for (; ; slot = (slot + 1) & mask)
        {
            var value = index[slot];
            if (value == 0)
            {
                break;
            }

            ref var e = ref _chunks[(value - 1) >> ChunkBits][(value - 1) & ChunkMask];
            if (e.KeyLow == low && e.KeyHigh == high)
            {
                return ref e;
            }
        }

        var number = _count;
        if ((number >> ChunkBits) == _chunks.Length)
        {
            var grown = new EntryChunk[_chunks.Length + 1];
            _chunks.CopyTo(grown, 0);
            grown[^1] = new EntryChunk(ChunkSize);
            Volatile.Write(ref _chunks, grown);
        }

        ref var added = ref _chunks[number >> ChunkBits][number & ChunkMask];
        added.KeyHigh = high;
        added.KeyLow = low;
        Volatile.Write(ref index[slot], number + 1);
        Volatile.Write(ref _count, number + 1);
        if ((long)(number + 1) * 10 > (long)index.Length * 7)
        {
            Rebuild(index.Length * 2);
        }

        return ref added;
    }

    /// <summary>Builds a new index of <paramref name="size"/> slots from the entries and swaps it in.</summary>
    private void Rebuild(int size)
    {
        var index = new int[size];
        var mask = size - 1;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _chunks[i >> ChunkBits][i & ChunkMask];
            var slot = Slot(e.KeyHigh, e.KeyLow, mask);
            while (index[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            index[slot] = i + 1;
        }

        Volatile.Write(ref _index, index);
    }

    /// <summary>Index size for <paramref name="count"/> entries at most 70% full.</summary>
    private static int IndexSizeFor(long count)
    {
        var size = 1024;
        while (count * 10 > (long)size * 7)
        {
            size *= 2;
        }

        return size;
    }
}
