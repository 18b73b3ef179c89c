using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.State;

internal sealed partial class SubjectStateStore
{
    /// <summary>Overflow handles: the size class in the top 2 bits, the block number + 1 below.</summary>
    private const int ClassShift = 28;
    private const int BlockMask = (1 << ClassShift) - 1;

    /// <summary>Values per pool chunk: a multiple of every class size (3, 7, 15).</summary>
    private const int ChunkValues = 3 * 7 * 15 * 256;

    /// <summary>Slots of the overflow size classes: a subject with more reporters moves up a class.</summary>
    private static readonly int[] ClassSlots = [3, 7, MaxReporters - 1];

    private readonly int[] _poolBlocks = new int[3];
    private readonly Stack<int>[] _free = [new(), new(), new()];
    private ulong[][][] _pools = [[], [], []];

    /// <summary>Overflow blocks allocated (subjects with more than one black reporter, and blocks outgrown).</summary>
    public int OverflowBlocks => _poolBlocks.Sum();

    /// <summary>Skips the store-store fence of the seqlock on x86/x64, where stores are never reordered with each other.</summary>
    private static readonly bool NeedsFence = RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.X86);

    /// <summary>
    /// Applies one report (a karma.log line). Times are seconds since the epoch; a sighting later than the receive
    /// time is taken as the receive time, so a reporter's clock cannot extend a listing. Writer only: inside
    /// <see cref="EnterWrite"/>, or on the replay's applier thread while the replaying thread holds it.
    /// </summary>
    public void Apply(int reporter, Verb verb, IpSubject subject, int count, long first, long last, long received, int reason) =>
        Update(ref GetOrAdd(subject.Value), reporter, verb, count, first, last, received, reason);

    /// <summary>Applies one report to the subject's entry (<see cref="Apply"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Update(ref SubjectEntry e, int reporter, Verb verb, int count, long first, long last, long received, int reason)
    {
        last = Math.Min(last, received);
        first = Math.Min(first, last);
        var firstSeen = StateTime.Clamp(first);
        var lastSeen = StateTime.Clamp(last);
        Volatile.Write(ref e.Version, e.Version + 1);
        if (NeedsFence)
        {
            Interlocked.MemoryBarrier();
        }

        if (verb == Verb.Black)
        {
            if (e.FirstBlack == 0 || firstSeen < e.FirstBlack)
            {
                e.FirstBlack = firstSeen;
            }

            if (lastSeen >= e.LastBlack)
            {
                e.LastBlack = lastSeen;
                e.BlackReason = reason;
            }

            e.BlackCount = Add(e.BlackCount, count);
            TouchReporter(ref e, reporter, lastSeen);
        }
        else
        {
            if (lastSeen >= e.LastWhite)
            {
                e.LastWhite = lastSeen;
                e.WhiteReason = reason;
                e.WhiteReporter = (ushort)reporter;
            }

            e.WhiteCount = Add(e.WhiteCount, count);
        }

        Volatile.Write(ref e.Version, e.Version + 1);
    }

    private static uint Add(uint total, int count) => (uint)Math.Min(uint.MaxValue, (ulong)total + (ulong)count);

    /// <summary>Records a black reporter's sighting; when <see cref="MaxReporters"/> are held, the longest unseen makes room.</summary>
    private void TouchReporter(ref SubjectEntry e, int reporter, uint seen)
    {
        if (reporter is <= 0 or > ushort.MaxValue)
        {
            return; // the name table is full: not tracked
        }

        var packed = ((ulong)seen << 32) | (uint)reporter;
        if (e.ReporterCount == 0)
        {
            e.Reporter0 = packed;
            e.ReporterCount = 1;
            return;
        }

        if ((ushort)e.Reporter0 == reporter)
        {
            e.Reporter0 = Math.Max(e.Reporter0, packed);
            return;
        }

        var held = e.ReporterCount - 1;
        var block = e.Overflow == 0 ? default : Block(_pools, e.Overflow);
        for (var i = 0; i < held; i++)
        {
            if ((ushort)block[i] == reporter)
            {
                block[i] = Math.Max(block[i], packed);
                return;
            }
        }

        if (held < MaxReporters - 1)
        {
            if (held == block.Length)
            {
                block = MoveUp(ref e, block);
            }

            block[held] = packed;
            e.ReporterCount++;
            return;
        }

        // Full: replace the reporter seen longest ago (packed values order by time first).
        var oldest = -1;
        var oldestValue = e.Reporter0;
        for (var i = 0; i < block.Length; i++)
        {
            if (block[i] < oldestValue)
            {
                (oldest, oldestValue) = (i, block[i]);
            }
        }

        if ((oldestValue >> 32) < seen)
        {
            if (oldest < 0)
            {
                e.Reporter0 = packed;
            }
            else
            {
                block[oldest] = packed;
            }
        }
    }

    /// <summary>Moves a subject's overflow slots into a block of the next size class and frees the old block.</summary>
    private Span<ulong> MoveUp(scoped ref SubjectEntry e, Span<ulong> old)
    {
        var size = e.Overflow == 0 ? 0 : (e.Overflow >>> ClassShift) + 1;
        var handle = NewBlock(size);
        var block = Block(_pools, handle);
        old.CopyTo(block);
        if (e.Overflow != 0)
        {
            _free[size - 1].Push(e.Overflow);
        }

        e.Overflow = handle;
        return block;
    }

    /// <summary>A free block of size class <paramref name="size"/>, as an overflow handle.</summary>
    private int NewBlock(int size)
    {
        if (_free[size].TryPop(out var handle))
        {
            return handle;
        }

        var pool = _pools[size];
        var number = _poolBlocks[size];
        var perChunk = ChunkValues / ClassSlots[size];
        if (number / perChunk == pool.Length)
        {
            var grown = new ulong[pool.Length + 1][];
            pool.CopyTo(grown, 0);
            grown[^1] = new ulong[perChunk * ClassSlots[size]];
            var pools = (ulong[][][])_pools.Clone();
            pools[size] = grown;
            Volatile.Write(ref _pools, pools);
        }

        _poolBlocks[size] = number + 1;
        return (size << ClassShift) | (number + 1);
    }

    /// <summary>The slots of an overflow handle (size class in the top bits, block number + 1 below).</summary>
    private static Span<ulong> Block(ulong[][][] pools, int handle)
    {
        var size = handle >>> ClassShift;
        var number = (handle & BlockMask) - 1;
        var slots = ClassSlots[size];
        var perChunk = ChunkValues / slots;
        return pools[size][number / perChunk].AsSpan(number % perChunk * slots, slots);
    }

    private void CopyReporters(in SubjectEntry e, ref ReporterSlots slots)
    {
        if (e.ReporterCount == 0)
        {
            return;
        }

        slots[0] = e.Reporter0;
        if (e.Overflow != 0)
        {
            // A copy torn by the writer may name a block this reader's pools do not hold yet: the seqlock retries it.
            var pools = Volatile.Read(ref _pools);
            var size = e.Overflow >>> ClassShift;
            var number = (e.Overflow & BlockMask) - 1;
            if (size < pools.Length && number / (ChunkValues / ClassSlots[size]) < pools[size].Length)
            {
                var block = Block(pools, e.Overflow);
                block[..Math.Min(e.ReporterCount - 1, block.Length)].CopyTo(((Span<ulong>)slots)[1..]);
            }
        }
    }

    private void ClearOverflow()
    {
        Volatile.Write(ref _pools, [[], [], []]);
        Array.Clear(_poolBlocks);
        foreach (var free in _free)
        {
            free.Clear();
        }
    }
}
