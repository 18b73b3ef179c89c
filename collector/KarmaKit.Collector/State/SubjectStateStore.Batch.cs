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
    /// Applies reports in order, as <see cref="Apply"/> one by one, but first touches the index slots, then the entries
    /// and overflow blocks of all of them, so the cache misses of a million random subjects overlap instead of
    /// following one another (the replay's cost is those misses). Writer only.
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
        for (var i = 0; i < updates.Length; i++)
        {
            var key = updates[i].Subject.Value;
            found[i] = index[Slot((ulong)(key >> 64), (ulong)key, mask)];
        }

        var chunks = _chunks;
        ulong touched = 0;
        for (var i = 0; i < found.Length; i++)
        {
            if (found[i] != 0)
            {
                touched += (uint)chunks[(found[i] - 1) >> ChunkBits][(found[i] - 1) & ChunkMask].Overflow;
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

        foreach (ref readonly var u in updates)
        {
            Apply(u.Reporter, u.Verb, u.Subject, u.Count, u.First, u.Last, u.Received, u.Reason);
        }

        GC.KeepAlive(touched);
    }
}
