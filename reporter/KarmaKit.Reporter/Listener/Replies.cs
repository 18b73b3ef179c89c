using System.Globalization;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Reporter.Listener;

/// <summary>
/// Every reply line the listener sends (DESIGN.md §1): <c>ok &lt;sequence&gt;</c> or <c>error &lt;code&gt; &lt;text&gt;</c>,
/// ASCII, LF-terminated; the replies every line server sends alike are in <see cref="LineReplies"/>.
/// </summary>
internal static class Replies
{
    public static ReadOnlySpan<byte> SpoolFull => "error spool-full spool is full, report not taken\n"u8;

    public static ReadOnlySpan<byte> Unavailable => "error unavailable spool not available, report not taken\n"u8;

    /// <summary>Room needed for the reply to a request of <paramref name="lines"/> lines.</summary>
    public static int Capacity(int lines) => (Math.Max(lines, 1) * LineReplies.MaxLineBytes) + LineReplies.MaxLineBytes;

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
}
