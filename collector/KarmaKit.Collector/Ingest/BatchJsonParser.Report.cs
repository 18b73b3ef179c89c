using System.Text.Json;
using System.Text.Unicode;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Ingest;

internal static partial class BatchJsonParser
{
    /// <summary>The longest reason's JSON text worth unescaping: 200 bytes, each at most 6 bytes escaped (<c>\u00e9</c>).</summary>
    private const int MaxEscapedReasonBytes = ProtocolLimits.MaxReasonBytes * 6;

    [Flags]
    private enum Seen
    {
        Verb = 1,
        Subject = 2,
        Reason = 4,
        First = 8,
        Last = 16,
        Count = 32,
        Required = Verb | Subject | First | Last | Count,
    }

    /// <summary>One report object, checked as <see cref="BatchValidator"/> checks it; false at the first thing it would not accept.</summary>
    private static bool TryParseReport(ref Utf8JsonReader reader, DateTime latest, ref ReasonCache reasons, ref JsonTimeCache times, out ReportEntry entry)
    {
        entry = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        Seen seen = 0;
        Verb verb = default;
        IpSubject subject = default;
        string? reason = null;
        DateTime first = default, last = default;
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Seen property;
            bool ok;
            if (reader.ValueTextEquals("verb"u8))
            {
                property = Seen.Verb;
                ok = reader.Read() && IsPlainString(ref reader) && Verbs.TryParse(reader.ValueSpan, out verb);
            }
            else if (reader.ValueTextEquals("subject"u8))
            {
                property = Seen.Subject;
                ok = reader.Read() && IsPlainString(ref reader) && IpSubject.TryParse(reader.ValueSpan, out subject) && !subject.IsUnspecified;
            }
            else if (reader.ValueTextEquals("reason"u8))
            {
                property = Seen.Reason;
                ok = reader.Read() && TryReason(ref reader, ref reasons, out reason);
            }
            else if (reader.ValueTextEquals("first"u8))
            {
                property = Seen.First;
                ok = reader.Read() && TryTime(ref reader, ref times, out first);
            }
            else if (reader.ValueTextEquals("last"u8))
            {
                property = Seen.Last;
                ok = reader.Read() && TryTime(ref reader, ref times, out last);
            }
            else if (reader.ValueTextEquals("count"u8))
            {
                property = Seen.Count;
                ok = reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out count) && count >= 1;
            }
            else
            {
                reader.Skip();
                continue;
            }

            if (!ok || (seen & property) != 0)
            {
                return false;
            }

            seen |= property;
        }

        if ((seen & Seen.Required) != Seen.Required || first < BatchValidator.Earliest || first > last || last > latest)
        {
            return false;
        }

        entry = new ReportEntry(verb, subject, count, first, last, reason);
        return true;
    }

    /// <summary>A string whose bytes are its value (verbs and addresses never need escapes; an escaped one takes the slow path).</summary>
    private static bool IsPlainString(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped;

    /// <summary>A time with a zone, in UTC, read by the same reader method the deserialiser's DateTime converter uses.</summary>
    private static bool TryTime(ref Utf8JsonReader reader, ref JsonTimeCache times, out DateTime utc)
    {
        utc = default;
        return reader.TokenType == JsonTokenType.String && times.TryGet(ref reader, out var time) && BatchValidator.TryUtc(time, out utc);
    }

    /// <summary>
    /// A reason that <see cref="BatchValidator.ReasonProblem"/> accepts: valid UTF-8 of at most 200 bytes without a
    /// control character (C0, DEL or C1, as <see cref="char.IsControl(char)"/>); JSON null or "" is no reason.
    /// </summary>
    private static bool TryReason(ref Utf8JsonReader reader, ref ReasonCache reasons, out string? reason)
    {
        reason = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return TryReasonBytes(raw, ref reasons, out reason);
        }

        if (raw.Length > MaxEscapedReasonBytes)
        {
            return false;
        }

        Span<byte> unescaped = stackalloc byte[MaxEscapedReasonBytes];
        var length = reader.CopyString(unescaped);
        return TryReasonBytes(unescaped[..length], ref reasons, out reason);
    }

    private static bool TryReasonBytes(ReadOnlySpan<byte> utf8, ref ReasonCache reasons, out string? reason)
    {
        reason = null;
        if (utf8.IsEmpty)
        {
            return true;
        }

        if (utf8.Length > ProtocolLimits.MaxReasonBytes || !Utf8.IsValid(utf8) || HasControl(utf8))
        {
            return false;
        }

        reason = reasons.Get(utf8);
        return true;
    }

    /// <summary>C0 controls and DEL are single bytes; C1 controls (U+0080 to U+009F) are C2 80 to C2 9F in valid UTF-8.</summary>
    private static bool HasControl(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b < 0x20 || b == 0x7F || (b == 0xC2 && utf8[i + 1] < 0xA0))
            {
                return true;
            }
        }

        return false;
    }
}
