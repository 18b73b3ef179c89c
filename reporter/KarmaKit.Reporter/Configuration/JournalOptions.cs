namespace KarmaKit.Reporter.Configuration;

/// <summary>How an acknowledged report is made durable.</summary>
internal enum Durability
{
    /// <summary>fdatasync before <c>ok</c>: survives a crash of the agent, the OS or the power.</summary>
    Fsync,

    /// <summary>write() before <c>ok</c>: survives kill -9 of the agent, not an OS crash or power loss.</summary>
    Write,
}

/// <summary><c>Reporter:Journal</c>: the on-disk spool.</summary>
internal sealed class JournalOptions
{
    public Durability Durability { get; set; } = Durability.Fsync;

    /// <summary>The spool refuses new reports (<c>error spool-full</c>) at this size.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>A segment file is sealed and a new one started at this size.</summary>
    public long SegmentBytes { get; set; } = 16L << 20;
}
