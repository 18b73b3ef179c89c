using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Storage;

/// <summary>Reads a karma.log line back (layout in <see cref="KarmaLogFormat"/>); strict about the parts it knows.</summary>
internal static class KarmaLogParser
{
    /// <summary>Parses one line without its LF (a trailing CR is not accepted: the collector never writes one).</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out KarmaLogRecord? record)
    {
        record = null;
        if (!TryTime(NextField(ref line), out var received))
        {
            return false;
        }

        var reporterText = NextField(ref line);
        var verbText = NextField(ref line);
        var subjectText = NextField(ref line);
        if (reporterText.IsEmpty || !Ascii.IsValid(reporterText) || !Verbs.TryParse(verbText, out var verb)
            || !IpSubject.TryParse(subjectText, out var subject))
        {
            return false;
        }

        var reporter = Encoding.ASCII.GetString(reporterText);
        if (!ReporterNames.IsValid(reporter))
        {
            return false;
        }

        int? count = null;
        DateTime? first = null, last = null;
        string? batch = null, reason = null;
        var size = 0;
        while (!line.IsEmpty)
        {
            if (reason is not null)
            {
                return false; // the reason is the last field
            }

            var eq = line.IndexOf((byte)'=');
            if (eq <= 0)
            {
                return false;
            }

            var key = line[..eq];
            line = line[(eq + 1)..];
            if (key.SequenceEqual("reason"u8))
            {
                if (!TryUnquote(ref line, out reason))
                {
                    return false;
                }

                continue;
            }

            var value = NextField(ref line);
            if (key.SequenceEqual("count"u8))
            {
                if (!Utf8Parser.TryParse(value, out int n, out var used) || used != value.Length || n < 1)
                {
                    return false;
                }

                count = n;
            }
            else if (key.SequenceEqual("first"u8) || key.SequenceEqual("last"u8))
            {
                if (!TryTime(value, out var time))
                {
                    return false;
                }

                if (key[0] == (byte)'f')
                {
                    first = time;
                }
                else
                {
                    last = time;
                }
            }
            else if (key.SequenceEqual("batch"u8))
            {
                batch = Encoding.ASCII.GetString(value);
                if (!Ascii.IsValid(value) || !KarmaLogFormat.IsValidBatchId(batch))
                {
                    return false;
                }
            }
            else if (key.SequenceEqual("size"u8))
            {
                if (!Utf8Parser.TryParse(value, out size, out var used) || used != value.Length || size < 1)
                {
                    return false;
                }
            }
            else if (value.IndexOf((byte)'"') >= 0)
            {
                return false; // an unknown field must be a plain token
            }
        }

        if (count is null)
        {
            return false;
        }

        record = new KarmaLogRecord
        {
            Received = received,
            Reporter = reporter,
            Verb = verb,
            Subject = subject,
            Count = count.Value,
            First = first,
            Last = last,
            Batch = batch,
            BatchSize = batch is null ? 0 : size,
            Reason = reason,
        };
        return true;
    }

    /// <summary>The next space-separated field; an empty field (two spaces) is returned as empty.</summary>
    internal static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)' ');
        if (end < 0)
        {
            var whole = rest;
            rest = default;
            return whole;
        }

        var field = rest[..end];
        rest = rest[(end + 1)..];
        if (rest.IsEmpty)
        {
            return default; // a trailing space: make the caller fail on the empty field that follows
        }

        return field;
    }

    internal static bool TryTime(ReadOnlySpan<byte> text, out DateTime time)
    {
        time = default;
        if (text.Length != KarmaLogFormat.TimeLength || !Ascii.IsValid(text))
        {
            return false;
        }

        Span<char> chars = stackalloc char[KarmaLogFormat.TimeLength];
        Ascii.ToUtf16(text, chars, out _);
        return DateTime.TryParseExact(chars, KarmaLogFormat.TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>Reads <c>"..."</c> with the escapes of <see cref="KarmaLogFormat"/>; it must end the line.</summary>
    internal static bool TryUnquote(ref ReadOnlySpan<byte> rest, out string? text)
    {
        text = null;
        if (rest.IsEmpty || rest[0] != (byte)'"')
        {
            return false;
        }

        var bytes = new byte[rest.Length];
        var n = 0;
        var i = 1;
        while (true)
        {
            if (i >= rest.Length)
            {
                return false; // no closing quote
            }

            var b = rest[i++];
            if (b == (byte)'"')
            {
                break;
            }

            if (b is < 0x20 or 0x7F)
            {
                return false; // raw controls are always escaped
            }

            if (b != (byte)'\\')
            {
                bytes[n++] = b;
                continue;
            }

            if (!KarmaLogFormat.TryReadEscape(rest, ref i, out bytes[n]))
            {
                return false;
            }

            n++;
        }

        if (!Utf8.IsValid(bytes.AsSpan(0, n)))
        {
            return false;
        }

        rest = rest[i..];
        text = Encoding.UTF8.GetString(bytes, 0, n);
        return rest.IsEmpty;
    }

}
