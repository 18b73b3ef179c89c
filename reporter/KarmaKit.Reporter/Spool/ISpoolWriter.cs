namespace KarmaKit.Reporter.Spool;

/// <summary>The listener's side of the spool: append and wait until durable (group commit).</summary>
internal interface ISpoolWriter
{
    /// <summary>
    /// Appends the entries as consecutive records, all or none, and completes once they are durable
    /// per <c>Reporter:Journal:Durability</c>. Many concurrent callers share one fsync.
    /// </summary>
    ValueTask<AppendResult> AppendAsync(ReadOnlyMemory<SpoolEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// The same append, answered by calling <paramref name="completion"/> once, never by throwing: a failure is
    /// <see cref="AppendStatus.Unavailable"/>. The journal calls it on its writer thread right after the fsync,
    /// so the listener's direct path replies without a hop through the thread pool; it must be short and must
    /// not block. This default (for other writers) calls it wherever <see cref="AppendAsync"/> completes.
    /// </summary>
    void Append(ReadOnlyMemory<SpoolEntry> entries, IAppendCompletion completion)
    {
        ValueTask<AppendResult> pending;
        try
        {
            pending = AppendAsync(entries, CancellationToken.None);
        }
        catch (Exception ex)
        {
            completion.OnAppended(new AppendResult(AppendStatus.Unavailable, 0), ex);
            return;
        }

        if (pending.IsCompletedSuccessfully)
        {
            completion.OnAppended(pending.Result, null);
            return;
        }

        _ = CompleteLaterAsync(pending, completion);

        static async Task CompleteLaterAsync(ValueTask<AppendResult> pending, IAppendCompletion completion)
        {
            AppendResult result;
            Exception? failure = null;
            try
            {
                result = await pending;
            }
            catch (Exception ex)
            {
                (result, failure) = (new AppendResult(AppendStatus.Unavailable, 0), ex);
            }

            completion.OnAppended(result, failure);
        }
    }
}

/// <summary>Receives the outcome of <see cref="ISpoolWriter.Append"/>.</summary>
internal interface IAppendCompletion
{
    /// <summary>Called once. <paramref name="failure"/> is set only when the writer threw (a bug there), and then the status is Unavailable.</summary>
    void OnAppended(AppendResult result, Exception? failure);
}
