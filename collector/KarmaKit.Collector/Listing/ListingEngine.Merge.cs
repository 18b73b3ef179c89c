using System.Diagnostics;
using KarmaKit.Collector.Dns;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// Publication cost: each commit copies the recent changes (at most <see cref="ListingIndex.RecentLimit"/>; every
/// thousand or so commits the overlay too) and swaps one reference, so it does not grow with the list. When the
/// overlay passes <see cref="MergeAt"/>, a background task builds a
/// new sorted base from base + overlay without the lock, then, under it, publishes that base with the changes made
/// meanwhile as the new overlay. The content does not change, so neither does the serial.
/// </summary>
internal sealed partial class ListingEngine
{
    private int _merging;

    /// <summary>Overlay size that triggers a merge: 1/16 of the base, at least 4,096 and at most 65,536.</summary>
    public static int MergeAt(int baseCount) => Math.Clamp(baseCount / 16, 4096, 65_536);

    /// <summary>Folds both overlays into their bases now (tests, benchmarks); the background merge does the same.</summary>
    public void MergeNow()
    {
        Merge(DnsList.Block);
        Merge(DnsList.Allow);
    }

    private void MaybeMerge(ListingIndex block, ListingIndex allow)
    {
        var blockDue = block.Changes >= MergeAt(block.Base.Count);
        var allowDue = allow.Changes >= MergeAt(allow.Base.Count);
        if ((blockDue || allowDue) && Interlocked.Exchange(ref _merging, 1) == 0)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    if (blockDue)
                    {
                        Merge(DnsList.Block);
                    }

                    if (allowDue)
                    {
                        Merge(DnsList.Allow);
                    }
                }
                finally
                {
                    Volatile.Write(ref _merging, 0);
                }
            });
        }
    }

    private void Merge(DnsList list)
    {
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var taken = Index(list);
            var merged = ListingSet.Build(taken.Entries());
            lock (_write)
            {
                var current = Index(list);
                var residual = new Dictionary<UInt128, ListingAnswer>();
                foreach (var level in (Dictionary<UInt128, ListingAnswer>[])[current.Overlay, current.Recent])
                {
                    foreach (var key in level.Keys)
                    {
                        current.TryGetChange(key, out var now);
                        if (!(taken.TryGetChange(key, out var then) && then == now))
                        {
                            residual[key] = now; // changed since the merge began
                        }
                    }
                }

                var index = new ListingIndex(merged, residual, [], current.Count, current.Serial);
                var snapshot = _snapshot;
                Volatile.Write(ref _snapshot, list == DnsList.Block ? snapshot with { Block = index } : snapshot with { Allow = index });
                _logger.ListingMerged(list.ToString(), merged.Count, taken.Changes, stopwatch.ElapsedMilliseconds);
            }
        }
        catch (Exception ex)
        {
            _logger.ListingMergeFailed(ex, list.ToString());
        }
    }
}
