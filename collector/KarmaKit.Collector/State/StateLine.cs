using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.State;

/// <summary>
/// The parts of a karma.log line the subject state needs, as spans into the line (no string per line). Read by TryParse,
/// which follows <see cref="Storage.KarmaLogFormat"/>: the four positional fields, then
/// <c>key=value</c> fields of which it reads <c>count</c>, <c>first</c>, <c>last</c> and the final quoted <c>reason</c>.
/// </summary>
internal ref struct StateLine
{
    /// <summary>Receive time, seconds since the epoch.</summary>
    public long Received;

    public ReadOnlySpan<byte> Reporter;

    public Verb Verb;

    public IpSubject Subject;

    public int Count;

    /// <summary>The reporter's first and last sighting (seconds), or <see cref="Received"/> when the line has none.</summary>
    public long First;

    public long Last;

    /// <summary>The reason as written, escapes included, without its quotes; empty when none.</summary>
    public ReadOnlySpan<byte> Reason;

    /// <summary>True when <see cref="Reason"/> holds a backslash escape.</summary>
    public bool ReasonEscaped;

    /// <summary>The batch id, empty when the line has none.</summary>
    public ReadOnlySpan<byte> Batch;

    /// <summary>The batch's line count (<c>size</c>), 0 when the line has none.</summary>
    public int Size;

    public static bool TryParse(ReadOnlySpan<byte> line, out StateLine parsed)
    {
        var cache = default(TimeCache);
        return TryParse(line, out parsed, ref cache);
    }

    /// <summary>Parses with <paramref name="cache"/> holding the times of the previous line (the lines of a batch share them).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> line, out StateLine parsed, scoped ref TimeCache cache)
    {
        parsed = default;
        if (line.Length < 26 || line[24] != ' ' || !cache.Received.TryParse(line[..24], out parsed.Received))
        {
            return false;
        }

        line = line[25..];
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        parsed.Reporter = line[..space];
        line = line[(space + 1)..];
        if (line.Length < 7 || line[5] != ' ')
        {
            return false;
        }

        if (line.StartsWith("black"u8))
        {
            parsed.Verb = Verb.Black;
        }
        else if (line.StartsWith("white"u8))
        {
            parsed.Verb = Verb.White;
        }
        else
        {
            return false;
        }

        line = line[6..];
        space = line.IndexOf((byte)' ');
        if (space <= 0 || !IpSubject.TryParse(line[..space], out parsed.Subject))
        {
            return false;
        }

        line = line[(space + 1)..];
        parsed.First = parsed.Last = -1;
        return TryFields(line, ref parsed, ref cache);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool TryFields(ReadOnlySpan<byte> line, ref StateLine parsed, scoped ref TimeCache cache)
    {
        if (TryWritten(line, ref parsed, ref cache))
        {
            return Complete(ref parsed);
        }

        (parsed.Count, parsed.First, parsed.Last, parsed.Size, parsed.ReasonEscaped) = (0, -1, -1, 0, false);
        parsed.Batch = default;
        parsed.Reason = default;
        while (!line.IsEmpty)
        {
            if (line.StartsWith("reason=\""u8))
            {
                var text = line[8..];
                if (text.IsEmpty || text[^1] != '"')
                {
                    return false;
                }

                parsed.Reason = text[..^1];
                parsed.ReasonEscaped = parsed.Reason.IndexOf((byte)'\\') >= 0;
                break; // the reason is the last field
            }

            var space = line.IndexOf((byte)' ');
            var field = space < 0 ? line : line[..space];
            line = space < 0 ? default : line[(space + 1)..];
            if (field.StartsWith("count="u8))
            {
                if (!TryInt(field[6..], out parsed.Count))
                {
                    return false;
                }
            }
            else if (field.StartsWith("first="u8))
            {
                if (!cache.First.TryParse(field[6..], out parsed.First))
                {
                    return false;
                }
            }
            else if (field.StartsWith("last="u8))
            {
                if (!cache.Last.TryParse(field[5..], out parsed.Last))
                {
                    return false;
                }
            }
            else if (field.StartsWith("batch="u8))
            {
                parsed.Batch = field[6..];
            }
            else if (field.StartsWith("size="u8))
            {
                if (!TryInt(field[5..], out parsed.Size))
                {
                    return false;
                }
            }
            else if (field.IndexOf((byte)'=') <= 0)
            {
                return false;
            }
        }

        return Complete(ref parsed);
    }

    private static bool Complete(ref StateLine parsed)
    {
        if (parsed.Count < 1)
        {
            return false;
        }

        parsed.Last = parsed.Last < 0 ? parsed.Received : parsed.Last;
        parsed.First = parsed.First < 0 ? parsed.Last : parsed.First;
        return true;
    }

    /// <summary>
    /// The fields as <see cref="Storage.KarmaLogFormat"/> writes them, read at fixed places without a search per field:
    /// <c>count=N first=TIME last=TIME[ batch=ID size=N][ reason="TEXT"]</c>. False for anything else (another order,
    /// another field, a malformed value), which the general loop then reads, and accepts or refuses, on its own.
    /// </summary>
    private static bool TryWritten(ReadOnlySpan<byte> line, ref StateLine parsed, scoped ref TimeCache cache)
    {
        const int times = 7 + 24 + 6 + 24; // " first=TIME last=TIME"
        if (!line.StartsWith("count="u8) || !TryDigits(line, 6, out parsed.Count, out var at))
        {
            return false;
        }

        var rest = line[at..];
        if (rest.Length < times || !rest.StartsWith(" first="u8) || !rest.Slice(31, 6).SequenceEqual(" last="u8)
            || !cache.First.TryParse(rest.Slice(7, 24), out parsed.First) || !cache.Last.TryParse(rest.Slice(37, 24), out parsed.Last))
        {
            return false;
        }

        rest = rest[times..];
        if (rest.StartsWith(" batch="u8))
        {
            var end = rest[7..].IndexOf((byte)' ');
            if (end <= 0 || !rest[(7 + end)..].StartsWith(" size="u8) || !TryDigits(rest, 7 + end + 6, out parsed.Size, out at))
            {
                return false;
            }

            parsed.Batch = rest.Slice(7, end);
            rest = rest[at..];
        }

        if (rest.IsEmpty)
        {
            return true;
        }

        if (rest.Length < 10 || !rest.StartsWith(" reason=\""u8) || rest[^1] != '"')
        {
            return false;
        }

        parsed.Reason = rest[9..^1];
        parsed.ReasonEscaped = parsed.Reason.IndexOf((byte)'\\') >= 0;
        return true;
    }

    /// <summary>1 to 9 digits at <paramref name="from"/>, ended by a space or the end of the line.</summary>
    private static bool TryDigits(ReadOnlySpan<byte> line, int from, out int value, out int end)
    {
        value = 0;
        end = from;
        while (end < line.Length && end - from < 10 && (uint)(line[end] - '0') <= 9)
        {
            value = (value * 10) + (line[end++] - '0');
        }

        return end > from && end - from <= 9 && (end == line.Length || line[end] == ' ');
    }

    private static bool TryInt(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        return !text.IsEmpty && text.Length <= 9 && StateTime.Digits(text, out value);
    }
}

/// <summary>The last time text parsed in each time field, and its value.</summary>
internal struct TimeCache
{
    public CachedTime Received;
    public CachedTime First;
    public CachedTime Last;
}

/// <summary>One field's last time text (24 bytes as three words) and its seconds.</summary>
internal struct CachedTime
{
    private ulong _a;
    private ulong _b;
    private ulong _c;
    private long _seconds;

    public bool TryParse(ReadOnlySpan<byte> text, out long seconds)
    {
        if (text.Length == 24)
        {
            var a = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(text);
            var b = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(text[8..]);
            var c = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(text[16..]);
            if (a == _a && b == _b && c == _c && a != 0)
            {
                seconds = _seconds;
                return true;
            }

            if (StateTime.TryParse(text, out seconds))
            {
                (_a, _b, _c, _seconds) = (a, b, c, seconds);
                return true;
            }

            return false;
        }

        seconds = 0;
        return false;
    }
}
