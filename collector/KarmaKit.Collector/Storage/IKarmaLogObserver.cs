namespace KarmaKit.Collector.Storage;

/// <summary>
/// Follows karma.log through <see cref="KarmaLogService"/>: what the DNSBL state hangs on. Called at start once the
/// log's end is repaired and before the writer takes any batch, on the writer thread after each group commit is
/// durable (before any of its requests is answered), and at stop after the writer is drained.
/// </summary>
internal interface IKarmaLogObserver
{
    /// <summary>The log files are complete and will only grow from here: rebuild from them.</summary>
    void Recovered(string logPath);

    /// <summary>A group commit was written and synced. An exception is logged, not passed to the requests.</summary>
    void Appended(in KarmaLogAppend append);

    /// <summary>The writer is closed; nothing more will be appended by this process.</summary>
    void Closed();
}

/// <summary>One durable group commit.</summary>
internal readonly ref struct KarmaLogAppend
{
    /// <summary>The receive time written in every line of the group.</summary>
    public required DateTime Received { get; init; }

    /// <summary>Changes each time the writer reopens the log (SIGHUP after logrotate).</summary>
    public required long Generation { get; init; }

    /// <summary>Offset in the current file where <see cref="Bytes"/> begin.</summary>
    public required long Start { get; init; }

    /// <summary>The lines written, each ending in LF.</summary>
    public required ReadOnlySpan<byte> Bytes { get; init; }

    /// <summary>The batches appended, in the order of their lines (duplicates are not here).</summary>
    public required IReadOnlyList<AppendedBatch> Batches { get; init; }

    /// <summary>The operator actions appended, in the order of their lines; null when none.</summary>
    public IReadOnlyList<Operator.OperatorAction>? Actions { get; init; }
}

/// <summary>A batch's reporter and its reports, as appended.</summary>
internal readonly record struct AppendedBatch(string Reporter, IReadOnlyList<ReportEntry> Reports);
