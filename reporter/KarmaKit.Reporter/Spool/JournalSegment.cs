namespace KarmaKit.Reporter.Spool;

/// <summary>
/// One segment file as the journal tracks it. The writer publishes <see cref="Length"/> and <see cref="LastSequence"/>
/// only once the bytes are durable, so readers never see a record that could still be lost.
/// </summary>
internal sealed class JournalSegment(long firstSequence, string path, long length, long lastSequence)
{
    private long _length = length;
    private long _lastSequence = lastSequence;

    /// <summary>The sequence the segment was named after; its records have this sequence or higher.</summary>
    public long FirstSequence { get; } = firstSequence;

    public string Path { get; } = path;

    /// <summary>Durable bytes, segment header included.</summary>
    public long Length
    {
        get => Volatile.Read(ref _length);
        set => Volatile.Write(ref _length, value);
    }

    /// <summary>The last durable record's sequence, or <see cref="FirstSequence"/> - 1 when it holds none.</summary>
    public long LastSequence
    {
        get => Volatile.Read(ref _lastSequence);
        set => Volatile.Write(ref _lastSequence, value);
    }

    public bool HasRecords => LastSequence >= FirstSequence;

    /// <summary>
    /// Bytes of the file known durable, zeros past <see cref="Length"/> included (the writer's zeroed-ahead space,
    /// see SpoolJournal.Allocation.cs). Appends that stay below it need only a data sync. Writer thread only.
    /// </summary>
    public long Allocated { get; set; } = length;
}
