using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Protocol.Lines;

/// <summary>
/// One parsed readsocket line, <c>VERB SUBJECT [REASON]</c>. <see cref="Reason"/> points into the
/// caller's buffer, so parsing allocates nothing; copy it before the buffer is reused.
/// </summary>
public readonly ref struct ReportLine
{
    public ReportLine(Verb verb, IpSubject subject, ReadOnlySpan<byte> reason)
    {
        Verb = verb;
        Subject = subject;
        Reason = reason;
    }

    public Verb Verb { get; }

    public IpSubject Subject { get; }

    /// <summary>UTF-8 reason, trimmed; empty when none was given.</summary>
    public ReadOnlySpan<byte> Reason { get; }
}
