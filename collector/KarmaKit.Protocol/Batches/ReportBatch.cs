namespace KarmaKit.Protocol.Batches;

/// <summary>
/// The body of <c>POST /v1/batches</c> (DESIGN.md §2). <see cref="Batch"/> is chosen by the reporter
/// and stays the same across every retry and restart, so the collector can answer a resend as a duplicate.
/// </summary>
public sealed record ReportBatch
{
    public required string Reporter { get; init; }

    public required string Batch { get; init; }

    public required IReadOnlyList<BatchReport> Reports { get; init; }
}

/// <summary>One report in a batch: identical (verb, subject, reason) within a batch are coalesced with a count.</summary>
public sealed record BatchReport
{
    /// <summary><c>black</c> or <c>white</c>.</summary>
    public required string Verb { get; init; }

    /// <summary>The canonical address text.</summary>
    public required string Subject { get; init; }

    public string? Reason { get; init; }

    /// <summary>When the reporter first took this report (UTC).</summary>
    public required DateTime First { get; init; }

    /// <summary>When the reporter last took an identical report (UTC).</summary>
    public required DateTime Last { get; init; }

    public required int Count { get; init; }
}

/// <summary>The collector's 200 answer.</summary>
public sealed record BatchAccepted
{
    public required int Accepted { get; init; }

    public required bool Duplicate { get; init; }
}

/// <summary>The collector's error answer (400, 401, 413, 429).</summary>
public sealed record BatchRefused
{
    public required string Error { get; init; }
}
