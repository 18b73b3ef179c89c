namespace KarmaKit.Reporter.Spool;

/// <summary>The listener's side of the spool: append and wait until durable (group commit).</summary>
internal interface ISpoolWriter
{
    /// <summary>
    /// Appends the entries as consecutive records, all or none, and completes once they are durable
    /// per <c>Reporter:Journal:Durability</c>. Many concurrent callers share one fsync.
    /// </summary>
    ValueTask<AppendResult> AppendAsync(ReadOnlyMemory<SpoolEntry> entries, CancellationToken cancellationToken);
}
