namespace KarmaKit.Collector.Idempotency;

/// <summary>
/// A start-up reader of karma.log that also rebuilds the batch-id index (the DNSBL state: from its snapshot, which
/// keeps the window's batch ids, and the log after it), so the log is read once. <see cref="Storage.KarmaLogService"/>
/// attaches the index before the replay and falls back to <see cref="BatchIdScanner"/> when the index was not
/// <see cref="BatchIdIndex.Loaded"/> by it.
/// </summary>
internal interface IBatchIdRebuild
{
    /// <summary>The index to fill during the coming replay, with batches received at or after <paramref name="now"/> minus its window.</summary>
    void Attach(BatchIdIndex ids, DateTime now);
}
