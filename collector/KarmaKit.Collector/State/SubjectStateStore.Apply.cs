using System.Diagnostics;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.State;

internal sealed partial class SubjectStateStore
{
    private const int BlockSlots = MaxReporters - 1;
    private const int BlocksPerChunk = 4096;

    private ulong[][] _overflow = [];
    private int _overflowBlocks;

    /// <summary>Overflow blocks in use (subjects with more than one black reporter).</summary>
    public int OverflowBlocks => _overflowBlocks;

    /// <summary>
    /// Applies one report (a karma.log line). Times are seconds since the epoch; a sighting later than the receive
    /// time is taken as the receive time, so a reporter's clock cannot extend a listing. Writer only.
    /// </summary>
    public void Apply(int reporter, Verb verb, IpSubject subject, int count, long first, long last, long received, int reason)
    {
        Debug.Assert(_write.IsHeldByCurrentThread);
        last = Math.Min(last, received);
        first = Math.Min(first, last);
        var firstSeen = StateTime.Clamp(first);
        var lastSeen = StateTime.Clamp(last);
        ref var e = ref GetOrAdd(subject.Value);
        Volatile.Write(ref e.Version, e.Version + 1);
        Interlocked.MemoryBarrier();
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

        if (e.Overflow == 0)
        {
            e.Overflow = NewBlock() + 1;
        }

        var block = Block(_overflow, e.Overflow - 1);
        var held = e.ReporterCount - 1;
        for (var i = 0; i < held; i++)
        {
            if ((ushort)block[i] == reporter)
            {
                block[i] = Math.Max(block[i], packed);
                return;
            }
        }

        if (held < BlockSlots)
        {
            block[held] = packed;
            e.ReporterCount++;
            return;
        }

        // Full: replace the reporter seen longest ago (packed values order by time first).
        var oldest = -1;
        var oldestValue = e.Reporter0;
        for (var i = 0; i < BlockSlots; i++)
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

    private int NewBlock()
    {
        var number = _overflowBlocks;
        if (number / BlocksPerChunk == _overflow.Length)
        {
            var grown = new ulong[_overflow.Length + 1][];
            _overflow.CopyTo(grown, 0);
            grown[^1] = new ulong[BlocksPerChunk * BlockSlots];
            Volatile.Write(ref _overflow, grown);
        }

        _overflowBlocks = number + 1;
        return number;
    }

    private static Span<ulong> Block(ulong[][] overflow, int number) =>
        overflow[number / BlocksPerChunk].AsSpan(number % BlocksPerChunk * BlockSlots, BlockSlots);

    private void CopyReporters(in SubjectEntry e, ref ReporterSlots slots)
    {
        if (e.ReporterCount == 0)
        {
            return;
        }

        slots[0] = e.Reporter0;
        if (e.Overflow != 0)
        {
            var block = Block(Volatile.Read(ref _overflow), e.Overflow - 1);
            block[..Math.Min(e.ReporterCount - 1, BlockSlots)].CopyTo(((Span<ulong>)slots)[1..]);
        }
    }

    private void ClearOverflow()
    {
        Volatile.Write(ref _overflow, []);
        _overflowBlocks = 0;
    }
}
