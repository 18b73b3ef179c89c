using KarmaKit.Protocol;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Collector.Compat;

/// <summary>
/// The compatibility wire's reply lines, ASCII, LF-terminated: <c>ok</c> once the line's report is durable in
/// karma.log, or <c>error CODE TEXT</c> with the codes of the reporter's readsocket protocol (the shared ones in <see cref="LineReplies"/>).
/// </summary>
internal static class CompatReplies
{
    public static ReadOnlySpan<byte> Ok => "ok\n"u8;

    public static ReadOnlySpan<byte> Unavailable => "error unavailable karma.log cannot be written, report not taken\n"u8;

    public static ReadOnlySpan<byte> Unconfirmed => "error timeout not confirmed durable in time\n"u8;

    public static byte[] TooLong { get; } = LineReplies.TooLong(ProtocolLimits.MaxLineBytes);
}
