using System.Buffers;
using System.Buffers.Text;
using System.Text;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Storage;

/// <summary>
/// The karma.log line format (DESIGN.md §3), written here and read back by <see cref="KarmaLogParser"/>.
/// <code>
/// RECEIVED SP REPORTER SP VERB SP SUBJECT SP count=N SP first=TIME SP last=TIME SP batch=ID SP size=N [SP reason="TEXT"] LF
/// 2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch=mx1-17-40 size=2 reason="virus Eicar"
/// </code>
/// <list type="bullet">
/// <item>One UTF-8 line per report, fields separated by exactly one space, LF at the end. The first four fields are
/// positional, so <c>awk '{print $3, $4}'</c> gives verb and subject and <c>grep ' black 192.0.2.1 '</c> works.</item>
/// <item>RECEIVED, TIME: UTC <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>. RECEIVED is when the collector appended the line: every
/// line of one group commit has the same time, and times never go backwards within a file.</item>
/// <item>REPORTER: the configured reporter name; VERB: <c>black</c> or <c>white</c>; SUBJECT: canonical address
/// text (dotted quad, RFC 5952 IPv6).</item>
/// <item><c>count</c>: identical reports the reporter coalesced; <c>first</c>/<c>last</c>: its first and last sighting.</item>
/// <item><c>batch</c>: the reporter's batch id (printable ASCII without space, <c>"</c> or <c>\</c>); <c>size</c>: how
/// many lines that batch has. All lines of a batch are contiguous and in one file; they make the batch id durable
/// together with the reports (idempotency), and let start-up recovery see a batch cut short by a crash.</item>
/// <item>A line without <c>batch</c> and <c>size</c> came over the compatibility wire (<c>Collector:Compat</c>), which has
/// no batch ids: it stands alone, and its <c>first</c> and <c>last</c> are when the collector read it.</item>
/// <item><c>reason</c>: optional, always last, in double quotes. Inside: <c>\\</c> is a backslash, <c>\"</c> a quote,
/// <c>\n</c> <c>\r</c> <c>\t</c> those controls, <c>\xHH</c> any other byte below 0x20 or 0x7F; every other byte,
/// including UTF-8 beyond ASCII, stands for itself. So a line never holds a raw LF and always parses back.</item>
/// <item>Readers skip <c>key=value</c> fields they do not know (values without spaces), so fields can be added.</item>
/// </list>
/// </summary>
internal static class KarmaLogFormat
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Length of a formatted time.</summary>
    public const int TimeLength = 24;

    /// <summary>Bytes of a reason that are written escaped: quote, backslash, C0 controls and DEL.</summary>
    private static readonly SearchValues<byte> Escaped =
        SearchValues.Create([(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b), 0x7F]);

    /// <summary>Bytes of a line besides reporter, batch id and reason: three times, the longest subject, two ints and the field names.</summary>
    private const int FixedLineBytes = 3 * TimeLength + IpSubject.MaxTextLength + (2 * 11) + 64;

    /// <summary>Appends one line, LF included; an empty <paramref name="batch"/> leaves out batch and size.</summary>
    public static void Write(IBufferWriter<byte> output, DateTime received, string reporter, string batch, int batchSize, in ReportEntry report)
    {
        var times = new LineTimes();
        Write(output, ref times, received, reporter, batch, batchSize, report);
    }

    /// <summary>
    /// Appends one line, LF included; an empty <paramref name="batch"/> leaves out batch and size. Allocation-free and
    /// the writer's hot path: the fixed fields go into one span, and <paramref name="times"/> keeps the text of the last
    /// times written (every line of a group has the same receive time, and a batch's reports often share first/last).
    /// </summary>
    public static void Write(IBufferWriter<byte> output, ref LineTimes times, DateTime received, string reporter, string batch, int batchSize, in ReportEntry report)
    {
        var span = output.GetSpan(FixedLineBytes + reporter.Length + batch.Length);
        var n = times.Received.Write(span, received);
        span[n++] = (byte)' ';
        n += Encoding.ASCII.GetBytes(reporter, span[n..]);
        n += Put(span[n..], report.Verb == Verb.Black ? " black "u8 : " white "u8);
        report.Subject.TryFormat(span[n..], out var written);
        n += written;
        n += Put(span[n..], " count="u8);
        Utf8Formatter.TryFormat(report.Count, span[n..], out written);
        n += written;
        n += Put(span[n..], " first="u8);
        n += times.First.Write(span[n..], report.First);
        n += Put(span[n..], " last="u8);
        n += times.Last.Write(span[n..], report.Last);
        if (batch.Length > 0)
        {
            n += Put(span[n..], " batch="u8);
            n += Encoding.ASCII.GetBytes(batch, span[n..]);
            n += Put(span[n..], " size="u8);
            Utf8Formatter.TryFormat(batchSize, span[n..], out written);
            n += written;
        }

        if (string.IsNullOrEmpty(report.Reason))
        {
            span[n++] = (byte)'\n';
            output.Advance(n);
            return;
        }

        n += Put(span[n..], " reason=\""u8);
        output.Advance(n);
        WriteEscaped(output, report.Reason);
        Write(output, "\"\n"u8);
    }

    private static int Put(Span<byte> span, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span);
        return bytes.Length;
    }

    /// <summary>A batch id that can stand unquoted in a line: printable ASCII without space, quote or backslash.</summary>
    public static bool IsValidBatchId(string? id) =>
        id is { Length: > 0 and <= ProtocolLimits.MaxBatchIdLength } && id.All(c => c is > ' ' and < (char)0x7F and not '"' and not '\\');

    internal static void WriteEscaped(IBufferWriter<byte> output, string reason)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(reason.Length);
        var rented = maxBytes > 1024 ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[1024];
        var length = Encoding.UTF8.GetBytes(reason, utf8);
        var text = utf8[..length];
        if (text.IndexOfAny(Escaped) < 0)
        {
            Write(output, text);
        }
        else
        {
            var span = output.GetSpan(length * 4);
            var n = 0;
            foreach (var b in text)
            {
                n += EscapeByte(b, span[n..]);
            }

            output.Advance(n);
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int EscapeByte(byte b, Span<byte> span)
    {
        switch (b)
        {
            case (byte)'"' or (byte)'\\':
                span[0] = (byte)'\\';
                span[1] = b;
                return 2;
            case (byte)'\n':
                span[0] = (byte)'\\';
                span[1] = (byte)'n';
                return 2;
            case (byte)'\r':
                span[0] = (byte)'\\';
                span[1] = (byte)'r';
                return 2;
            case (byte)'\t':
                span[0] = (byte)'\\';
                span[1] = (byte)'t';
                return 2;
            case < 0x20 or 0x7F:
                span[0] = (byte)'\\';
                span[1] = (byte)'x';
                span[2] = (byte)"0123456789abcdef"[b >> 4];
                span[3] = (byte)"0123456789abcdef"[b & 0xF];
                return 4;
            default:
                span[0] = b;
                return 1;
        }
    }

    /// <summary>
    /// Reads back one escape that <see cref="EscapeByte"/> writes: <paramref name="i"/> is at the byte after the
    /// backslash and moves past the escape. False for an unknown or cut-off escape. The one decoder of the reason's
    /// escapes, for <see cref="KarmaLogParser"/> and the state replay alike.
    /// </summary>
    internal static bool TryReadEscape(ReadOnlySpan<byte> text, ref int i, out byte value)
    {
        value = 0;
        if (i >= text.Length)
        {
            return false;
        }

        switch (text[i])
        {
            case (byte)'\\' or (byte)'"':
                value = text[i];
                break;
            case (byte)'n':
                value = (byte)'\n';
                break;
            case (byte)'r':
                value = (byte)'\r';
                break;
            case (byte)'t':
                value = (byte)'\t';
                break;
            case (byte)'x' when i + 2 < text.Length && char.IsAsciiHexDigit((char)text[i + 1]) && char.IsAsciiHexDigit((char)text[i + 2]):
                value = (byte)((Hex(text[i + 1]) << 4) | Hex(text[i + 2]));
                i += 3;
                return true;
            default:
                return false;
        }

        i++;
        return true;
    }

    private static int Hex(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Writes <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (UTC) without a format string.</summary>
    internal static void WriteTime(IBufferWriter<byte> output, DateTime time)
    {
        FormatTime(output.GetSpan(TimeLength), time);
        output.Advance(TimeLength);
    }

    /// <summary>Formats <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (UTC) into the first <see cref="TimeLength"/> bytes of <paramref name="span"/>.</summary>
    internal static void FormatTime(Span<byte> span, DateTime time)
    {
        time = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        time.Deconstruct(out var year, out var month, out var day);
        var ticks = time.TimeOfDay.Ticks;
        var milliseconds = (int)(ticks / TimeSpan.TicksPerMillisecond % 1000);
        var seconds = (int)(ticks / TimeSpan.TicksPerSecond % 60);
        var minutes = (int)(ticks / TimeSpan.TicksPerMinute % 60);
        var hours = (int)(ticks / TimeSpan.TicksPerHour);
        Digits(span, 0, year, 4);
        span[4] = (byte)'-';
        Digits(span, 5, month, 2);
        span[7] = (byte)'-';
        Digits(span, 8, day, 2);
        span[10] = (byte)'T';
        Digits(span, 11, hours, 2);
        span[13] = (byte)':';
        Digits(span, 14, minutes, 2);
        span[16] = (byte)':';
        Digits(span, 17, seconds, 2);
        span[19] = (byte)'.';
        Digits(span, 20, milliseconds, 3);
        span[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> span, int at, int value, int count)
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            span[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    internal static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var n = Encoding.ASCII.GetBytes(text, span);
        output.Advance(n);
    }

    internal static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
