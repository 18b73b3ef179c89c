using System.Runtime.CompilerServices;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.State;

/// <summary>One report to apply, as <see cref="SubjectStateStore.ApplyBatch"/> takes them.</summary>
internal struct StateUpdate
{
    public IpSubject Subject;
    public long First;
    public long Last;
    public long Received;
    public int Reporter;
    public int Reason;
    public int Count;
    public Verb Verb;
}

internal sealed partial class SubjectStateStore
{
    /// <summary>Reports touched ahead at a time (a stack array of this many ints).</summary>
    private const int BatchSlice = 256;

    /// <summary>
    /// Applies reports in order, as <see cref="Apply"/> one by one, but first finds the entries of a slice of them, then
    /// touches their overflow blocks, so the cache misses of a million random subjects overlap instead of following one
    /// another (the replay's cost is those misses): the index slots, the entries along each probe (compared by key
    /// there, not again when applying), the blocks. Writer only.
    /// </summary>
    public void ApplyBatch(ReadOnlySpan<StateUpdate> updates)
    {
        for (var at = 0; at < updates.Length; at += BatchSlice)
        {
            ApplySlice(updates.Slice(at, Math.Min(BatchSlice, updates.Length - at)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplySlice(ReadOnlySpan<StateUpdate> updates)
    {
        var index = _index;
        var mask = index.Length - 1;
        Span<int> found = stackalloc int[updates.Length];
        ulong touched = 0;
        for (var i = 0; i < updates.Length; i++)
        {
            var key = updates[i].Subject.Value;
            found[i] = Slot((ulong)(key >> 64), (ulong)key, mask);
            touched += (uint)index[found[i]];
        }

        // The entry number + 1 of each subject held before this slice, 0 for a new one (added when applied).
        var chunks = _chunks;
        for (var i = 0; i < found.Length; i++)
        {
            var (high, low) = ((ulong)(updates[i].Subject.Value >> 64), (ulong)updates[i].Subject.Value);
            for (var slot = found[i]; ; slot = (slot + 1) & mask)
            {
                var value = index[slot];
                if (value == 0)
                {
                    found[i] = 0;
                    break;
                }

                ref var e = ref chunks[(value - 1) >> ChunkBits][(value - 1) & ChunkMask];
                if (e.KeyLow == low && e.KeyHigh == high)
                {
                    found[i] = value;
                    break;
                }
            }
        }

        var pools = _pools;
        for (var i = 0; i < found.Length; i++)
        {
            if (found[i] != 0)
            {
                var handle = chunks[(found[i] - 1) >> ChunkBits][(found[i] - 1) & ChunkMask].Overflow;
                touched += handle == 0 ? 0 : Block(pools, handle)[0];
            }
        }

        for (var i = 0; i < updates.Length; i++)
        {
            ref readonly var u = ref updates[i];
            ref var e = ref found[i] != 0
                ? ref chunks[(found[i] - 1) >> ChunkBits][(found[i] - 1) & ChunkMask]
                : ref GetOrAdd(u.Subject.Value);
            Update(ref e, u.Reporter, u.Verb, u.Count, u.First, u.Last, u.Received, u.Reason);
        }

        GC.KeepAlive(touched);
    }
}
