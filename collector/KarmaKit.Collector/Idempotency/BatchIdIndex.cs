using System.Collections.Concurrent;

namespace KarmaKit.Collector.Idempotency;

/// <summary>A batch as the idempotency index knows it: reporter (configured name) and the reporter's batch id.</summary>
internal readonly record struct BatchKey(string Reporter, string Batch);

/// <summary>When a batch was appended and how many reports it had (the answer to a resend).</summary>
internal readonly record struct TakenBatch(DateTime Received, int Reports);

/// <summary>
/// The batch ids appended within the window. Durability comes from karma.log itself (every line carries its batch
/// id and the batch's size), so this is only an index: rebuilt at start from the state snapshot and the log after it
/// (<see cref="IBatchIdRebuild"/>), or from the log alone by <see cref="BatchIdScanner"/>, and, while running, added to by the log writer after the fsync that made a batch durable. One writer (the log
/// writer thread), any number of readers (the ingest pre-check).
/// </summary>
internal sealed class BatchIdIndex
{
    private readonly ConcurrentDictionary<BatchKey, TakenBatch> _taken = new(BatchKeyComparer.Instance);
    private readonly Queue<(DateTime Received, BatchKey Key)> _order = new();

    public BatchIdIndex(TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        Window = window;
    }

    public TimeSpan Window { get; }

    public int Count => _taken.Count;

    /// <summary>True once the start-up rebuild filled the index (<see cref="MarkLoaded"/>).</summary>
    public bool Loaded { get; private set; }

    /// <summary>Says the index holds every batch of the window in the log (before the writer opens).</summary>
    public void MarkLoaded() => Loaded = true;

    public bool TryGet(BatchKey key, out TakenBatch taken) => _taken.TryGetValue(key, out taken);

    /// <summary>Records a durable batch; call in append order (writer thread only).</summary>
    public void Add(BatchKey key, TakenBatch taken)
    {
        if (_taken.TryAdd(key, taken))
        {
            _order.Enqueue((taken.Received, key));
        }
    }

    /// <summary>Forgets batches appended longer than <see cref="Window"/> before <paramref name="now"/> (writer thread only).</summary>
    public int Prune(DateTime now)
    {
        var cutoff = now - Window;
        var removed = 0;
        while (_order.TryPeek(out var oldest) && oldest.Received < cutoff)
        {
            _order.Dequeue();
            _taken.TryRemove(oldest.Key, out _);
            removed++;
        }

        return removed;
    }

    /// <summary>
    /// The batches held, in no order, for the state snapshot. Safe beside the writer thread: every batch added before
    /// the call is in it unless pruned meanwhile; one added during the call may or may not be.
    /// </summary>
    public KeyValuePair<BatchKey, TakenBatch>[] Export() => _taken.ToArray();

    /// <summary>Reporter names compare case-insensitively (host names), batch ids exactly.</summary>
    public static IEqualityComparer<BatchKey> Comparer => BatchKeyComparer.Instance;

    private sealed class BatchKeyComparer : IEqualityComparer<BatchKey>
    {
        public static readonly BatchKeyComparer Instance = new();

        public bool Equals(BatchKey x, BatchKey y) =>
            string.Equals(x.Reporter, y.Reporter, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Batch, y.Batch, StringComparison.Ordinal);

        public int GetHashCode(BatchKey obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Reporter), StringComparer.Ordinal.GetHashCode(obj.Batch));
    }
}
