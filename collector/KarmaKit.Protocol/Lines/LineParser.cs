using System.Buffers;
using System.Text.Unicode;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Protocol.Lines;

/// <summary>
/// The readsocket line grammar (DESIGN.md §1): <c>VERB SP SUBJECT [SP REASON]</c>.
/// VERB is black or white in any case; fields are separated by runs of spaces or tabs;
/// SUBJECT is an IPv4 or IPv6 address in any of the forms Exim sends; REASON is free printable
/// UTF-8 up to <see cref="ProtocolLimits.MaxReasonBytes"/> bytes. The caller has already cut the
/// line at LF; a trailing CR is dropped here.
/// </summary>
public static class LineParser
{
    private static readonly SearchValues<byte> ControlBytes =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Where(b => b != '\t').Select(b => (byte)b), 0x7F]);

    public static bool TryParse(ReadOnlySpan<byte> line, out ReportLine report, out LineError error)
    {
        report = default;
        if (line.Length > ProtocolLimits.MaxLineBytes)
        {
            error = LineError.LineTooLong;
            return false;
        }

        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        // Control bytes other than the tab separator are refused anywhere in the line.
        if (line.IndexOfAny(ControlBytes) >= 0)
        {
            error = LineError.ControlCharacter;
            return false;
        }

        line = Trim(line);
        if (line.IsEmpty)
        {
            error = LineError.Empty;
            return false;
        }

        var verbText = NextField(ref line);
        if (!Verbs.TryParse(verbText, out var verb))
        {
            error = LineError.UnknownVerb;
            return false;
        }

        var subjectText = NextField(ref line);
        if (subjectText.IsEmpty)
        {
            error = LineError.MissingSubject;
            return false;
        }

        if (!IpSubject.TryParse(subjectText, out var subject))
        {
            error = LineError.InvalidSubject;
            return false;
        }

        if (subject.IsUnspecified)
        {
            error = LineError.UnspecifiedSubject;
            return false;
        }

        var reason = line;
        if (reason.Length > ProtocolLimits.MaxReasonBytes)
        {
            error = LineError.ReasonTooLong;
            return false;
        }

        if (reason.IndexOf((byte)'\t') >= 0)
        {
            error = LineError.ControlCharacter;
            return false;
        }

        if (!Utf8.IsValid(reason))
        {
            error = LineError.InvalidUtf8;
            return false;
        }

        report = new ReportLine(verb, subject, reason);
        error = LineError.None;
        return true;
    }

    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOfAny((byte)' ', (byte)'\t');
        if (end < 0)
        {
            var whole = rest;
            rest = default;
            return whole;
        }

        var field = rest[..end];
        rest = Trim(rest[end..]);
        return field;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> span)
    {
        var start = 0;
        while (start < span.Length && (span[start] == (byte)' ' || span[start] == (byte)'\t'))
        {
            start++;
        }

        var end = span.Length;
        while (end > start && (span[end - 1] == (byte)' ' || span[end - 1] == (byte)'\t'))
        {
            end--;
        }

        return span[start..end];
    }
}
