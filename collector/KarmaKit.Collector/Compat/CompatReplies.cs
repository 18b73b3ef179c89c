using System.Globalization;
using System.Text;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Collector.Compat;

/// <summary>
/// The compatibility wire's reply lines, ASCII, LF-terminated: <c>ok</c> once the line's report is durable in
/// karma.log, or <c>error CODE TEXT</c> with the codes of the reporter's readsocket protocol.
/// </summary>
internal static class CompatReplies
{
    /// <summary>Longest reply line, with room to spare.</summary>
    public const int MaxLineBytes = 96;

    public static ReadOnlySpan<byte> Ok => "ok\n"u8;

    public static ReadOnlySpan<byte> EmptyRequest => "error syntax empty request\n"u8;

    public static ReadOnlySpan<byte> Timeout => "error timeout no complete request in time\n"u8;

    public static ReadOnlySpan<byte> Unavailable => "error unavailable karma.log cannot be written, report not taken\n"u8;

    public static ReadOnlySpan<byte> Unconfirmed => "error timeout not confirmed durable in time\n"u8;

    public static byte[] TooLong { get; } =
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"error too-long line longer than {ProtocolLimits.MaxLineBytes} bytes\n"));

    public static byte[] TooManyLines(int maxLines) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"error too-many-lines more than {maxLines} lines in one request\n"));

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> line)
    {
        line.CopyTo(destination);
        return line.Length;
    }

    public static int WriteError(Span<byte> destination, LineError error)
    {
        var text = LineErrors.Describe(error);
        "error "u8.CopyTo(destination);
        text.CopyTo(destination[6..]);
        destination[6 + text.Length] = (byte)'\n';
        return 6 + text.Length + 1;
    }
}
