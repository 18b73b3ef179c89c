using System.Globalization;
using System.Text;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Reporter.Listener;

/// <summary>
/// Every reply line the listener sends (DESIGN.md §1): <c>ok &lt;sequence&gt;</c> or <c>error &lt;code&gt; &lt;text&gt;</c>,
/// ASCII, LF-terminated. Line errors reuse <see cref="LineErrors.Describe"/>.
/// </summary>
internal static class Replies
{
    /// <summary>Longest reply line: "error " + the longest description + LF, with room to spare.</summary>
    public const int MaxLineBytes = 96;

    public static ReadOnlySpan<byte> Busy => "error busy too many connections\n"u8;

    public static ReadOnlySpan<byte> EmptyRequest => "error syntax empty request\n"u8;

    public static ReadOnlySpan<byte> SpoolFull => "error spool-full spool is full, report not taken\n"u8;

    public static ReadOnlySpan<byte> Unavailable => "error unavailable spool not available, report not taken\n"u8;

    public static ReadOnlySpan<byte> Timeout => "error timeout no complete request in time\n"u8;

    public static byte[] TooLong(int maxLineBytes) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"error too-long line longer than {maxLineBytes} bytes\n"));

    public static byte[] TooManyLines(int maxLines) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"error too-many-lines more than {maxLines} lines in one request\n"));

    /// <summary>Room needed for the reply to a request of <paramref name="lines"/> lines.</summary>
    public static int Capacity(int lines) => (Math.Max(lines, 1) * MaxLineBytes) + MaxLineBytes;

    public static int WriteOk(Span<byte> destination, long sequence)
    {
        "ok "u8.CopyTo(destination);
        if (!sequence.TryFormat(destination[3..], out var digits, default, CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("reply buffer too small", nameof(destination));
        }

        destination[3 + digits] = (byte)'\n';
        return 3 + digits + 1;
    }

    public static int WriteError(Span<byte> destination, LineError error)
    {
        var text = LineErrors.Describe(error);
        "error "u8.CopyTo(destination);
        text.CopyTo(destination[6..]);
        destination[6 + text.Length] = (byte)'\n';
        return 6 + text.Length + 1;
    }

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> line)
    {
        line.CopyTo(destination);
        return line.Length;
    }
}
