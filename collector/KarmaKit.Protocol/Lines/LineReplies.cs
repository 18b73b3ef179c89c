using System.Globalization;
using System.Text;

namespace KarmaKit.Protocol.Lines;

/// <summary>
/// The reply lines of the readsocket line protocol that every server of it sends alike (the reporter's
/// listener and the collector's compatibility wire): <c>error &lt;code&gt; &lt;text&gt;</c>, ASCII, LF-terminated.
/// Each server adds its own <c>ok</c> form and the errors only it can have (spool full, log unavailable).
/// </summary>
public static class LineReplies
{
    /// <summary>Longest reply line: "error " + the longest description + LF, with room to spare.</summary>
    public const int MaxLineBytes = 96;

    public static ReadOnlySpan<byte> Busy => "error busy too many connections\n"u8;

    public static ReadOnlySpan<byte> EmptyRequest => "error syntax empty request\n"u8;

    public static ReadOnlySpan<byte> Timeout => "error timeout no complete request in time\n"u8;

    public static byte[] TooLong(int maxLineBytes) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"error too-long line longer than {maxLineBytes} bytes\n"));

    public static byte[] TooManyLines(int maxLines) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"error too-many-lines more than {maxLines} lines in one request\n"));

    /// <summary>Writes <c>error &lt;code&gt; &lt;text&gt;</c> for a refused line; returns the bytes written.</summary>
    public static int WriteError(Span<byte> destination, LineError error)
    {
        var text = LineErrors.Describe(error);
        "error "u8.CopyTo(destination);
        text.CopyTo(destination[6..]);
        destination[6 + text.Length] = (byte)'\n';
        return 6 + text.Length + 1;
    }

    /// <summary>Copies a whole reply line; returns its length.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> line)
    {
        line.CopyTo(destination);
        return line.Length;
    }
}
