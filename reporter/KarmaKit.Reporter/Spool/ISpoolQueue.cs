namespace KarmaKit.Reporter.Spool;

/// <summary>A range of spooled records sent as one batch, with an id that never changes for that range.</summary>
/// <param name="Id">The batch id sent to the collector; the same on every retry and after a restart.</param>
internal sealed record InFlightBatch(string Id, long FirstSequence, long LastSequence);

internal enum BatchOutcome
{
    /// <summary>The collector answered 2xx.</summary>
    Delivered,

    /// <summary>The collector refused the batch for good (400); it was written to the dead-letter file.</summary>
    DeadLettered,
}

/// <summary>The shipper's side of the spool: read in order, record the batch in flight, free after delivery.</summary>
internal interface ISpoolQueue
{
    /// <summary>Identifies this spool's lifetime; batch ids are built from it so a new spool never reuses an old id.</summary>
    string SpoolId { get; }

    /// <summary>Every record up to here has been delivered or dead-lettered.</summary>
    long DeliveredThrough { get; }

    /// <summary>A batch that was in flight when the agent stopped; it must be resent unchanged first.</summary>
    InFlightBatch? PendingBatch { get; }

    /// <summary>Completes when a durable record with a sequence above <paramref name="afterSequence"/> exists.</summary>
    ValueTask WaitForRecordsAsync(long afterSequence, CancellationToken cancellationToken);

    /// <summary>
    /// Reads durable records with sequence in (<paramref name="afterSequence"/>, <paramref name="throughSequence"/>],
    /// in order, at most <paramref name="maxRecords"/>, into <paramref name="destination"/>. Returns how many were added.
    /// </summary>
    int Read(long afterSequence, long throughSequence, int maxRecords, List<SpoolRecord> destination);

    /// <summary>Durably records the batch about to be posted (before the first attempt), replacing any earlier one.</summary>
    void BeginBatch(InFlightBatch batch);

    /// <summary>
    /// Durably marks the batch done: advances <see cref="DeliveredThrough"/> to its last sequence and frees segments
    /// that hold only delivered records. For <see cref="BatchOutcome.DeadLettered"/> the caller has already written the dead letter.
    /// </summary>
    void CompleteBatch(InFlightBatch batch, BatchOutcome outcome);

    /// <summary>Durably appends one dead letter (the batch body and why it was refused) to the dead-letter file.</summary>
    void WriteDeadLetter(InFlightBatch batch, string body, string reason);
}
