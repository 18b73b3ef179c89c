using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// A report as the listener hands it to the spool. <see cref="Reason"/> may point into the
/// connection's buffer: the spool copies it before <see cref="ISpoolWriter.AppendAsync"/> completes.
/// </summary>
internal readonly record struct SpoolEntry(Verb Verb, IpSubject Subject, ReadOnlyMemory<byte> Reason);

/// <summary>A durable report read back from the spool.</summary>
/// <param name="Sequence">Unique, increasing across restarts; the <c>ok &lt;id&gt;</c> the client was given.</param>
/// <param name="Received">When the agent took the report (UTC, millisecond precision).</param>
internal readonly record struct SpoolRecord(long Sequence, DateTime Received, Verb Verb, IpSubject Subject, string? Reason);

internal enum AppendStatus
{
    /// <summary>Durable; ids are <see cref="AppendResult.FirstSequence"/> onwards, one per entry.</summary>
    Ok,

    /// <summary>The spool reached its size cap; nothing was written.</summary>
    SpoolFull,

    /// <summary>The spool is shutting down or failed (I/O error); nothing was acknowledged.</summary>
    Unavailable,
}

internal readonly record struct AppendResult(AppendStatus Status, long FirstSequence);
