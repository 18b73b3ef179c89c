using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using KarmaKit.Protocol;

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
/// <item><c>reason</c>: optional, always last, in double quotes. Inside: <c>\\</c> is a backslash, <c>\"</c> a quote,
/// <c>\n</c> <c>\r</c> <c>\t</c> those controls, <c>\xHH</c> any other byte below 0x20 or 0x7F; every other byte,
/// including UTF-8 beyond ASCII, stands for itself. So a line never holds a raw LF and always parses back.</item>
/// <item>Readers skip <c>key=value</c> fields they do not know (values without spaces), so fields can be added.</item>
/// </list>
/// </summary>
internal static class KarmaLogFormat
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Longest formatted time.</summary>
    public const int TimeLength = 24;

    /// <summary>Appends one line, LF included.</summary>
    public static void Write(IBufferWriter<byte> output, DateTime received, string reporter, string batch, int batchSize, in ReportEntry report)
    {
        WriteTime(output, received);
        WriteAscii(output, " ");
        WriteAscii(output, reporter);
        WriteAscii(output, report.Verb == Verb.Black ? " black " : " white ");
        var span = output.GetSpan(KarmaKit.Protocol.Subjects.IpSubject.MaxTextLength);
        report.Subject.TryFormat(span, out var written);
        output.Advance(written);
        WriteAscii(output, " count=");
        WriteInt(output, report.Count);
        WriteAscii(output, " first=");
        WriteTime(output, report.First);
        WriteAscii(output, " last=");
        WriteTime(output, report.Last);
        WriteAscii(output, " batch=");
        WriteAscii(output, batch);
        WriteAscii(output, " size=");
        WriteInt(output, batchSize);
        if (!string.IsNullOrEmpty(report.Reason))
        {
            WriteAscii(output, " reason=\"");
            WriteEscaped(output, report.Reason);
            WriteAscii(output, "\"");
        }

        WriteAscii(output, "\n");
    }

    /// <summary>A batch id that can stand unquoted in a line: printable ASCII without space, quote or backslash.</summary>
    public static bool IsValidBatchId(string? id) =>
        id is { Length: > 0 and <= ProtocolLimits.MaxBatchIdLength } && id.All(c => c is > ' ' and < (char)0x7F and not '"' and not '\\');

    private static void WriteEscaped(IBufferWriter<byte> output, string reason)
    {
        var utf8 = Encoding.UTF8.GetBytes(reason);
        var span = output.GetSpan(utf8.Length * 4);
        var n = 0;
        foreach (var b in utf8)
        {
            switch (b)
            {
                case (byte)'"':
                case (byte)'\\':
                    span[n++] = (byte)'\\';
                    span[n++] = b;
                    break;
                case (byte)'\n':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'n';
                    break;
                case (byte)'\r':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'r';
                    break;
                case (byte)'\t':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'t';
                    break;
                case < 0x20 or 0x7F:
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'x';
                    span[n++] = (byte)"0123456789abcdef"[b >> 4];
                    span[n++] = (byte)"0123456789abcdef"[b & 0xF];
                    break;
                default:
                    span[n++] = b;
                    break;
            }
        }

        output.Advance(n);
    }

    private static void WriteTime(IBufferWriter<byte> output, DateTime time)
    {
        var span = output.GetSpan(32);
        if (!time.ToUniversalTime().TryFormat(span, out var written, TimeFormat, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("time did not format");
        }

        output.Advance(written);
    }

    private static void WriteInt(IBufferWriter<byte> output, int value)
    {
        var span = output.GetSpan(11);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var n = Encoding.ASCII.GetBytes(text, span);
        output.Advance(n);
    }
}
