using System.Runtime.CompilerServices;

namespace KarmaKit.Collector.Storage;

/// <summary>
/// The text of the last receive, first and last times <see cref="KarmaLogFormat"/> wrote: formatting a time costs
/// more than comparing its ticks and copying 24 bytes, and most lines repeat the previous line's times (one receive
/// time per group commit; reporters coalesce into reports of the same second).
/// </summary>
internal struct LineTimes
{
    public TimeText Received;
    public TimeText First;
    public TimeText Last;
}

/// <summary>One cached formatted time.</summary>
internal struct TimeText
{
    private long _ticks;
    private DateTimeKind _kind;
    private bool _set;
    private Text _text;

    /// <summary>Writes the time's <see cref="KarmaLogFormat.TimeLength"/> bytes; returns that length.</summary>
    public int Write(Span<byte> destination, DateTime time)
    {
        if (!_set || time.Ticks != _ticks || time.Kind != _kind)
        {
            KarmaLogFormat.FormatTime(_text, time);
            (_ticks, _kind, _set) = (time.Ticks, time.Kind, true);
        }

        ((ReadOnlySpan<byte>)_text).CopyTo(destination);
        return KarmaLogFormat.TimeLength;
    }

    [InlineArray(KarmaLogFormat.TimeLength)]
    private struct Text
    {
        private byte _first;
    }
}
