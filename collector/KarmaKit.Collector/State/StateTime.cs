namespace KarmaKit.Collector.State;

/// <summary>
/// Times in the subject state: whole seconds since the Unix epoch in a <see cref="uint"/> (until 2106), 0 for never.
/// Parsed straight from karma.log's <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> bytes; DateTime parsing is too slow for replay.
/// </summary>
internal static class StateTime
{
    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    /// <summary>Seconds since the epoch of a UTC time, clamped to 1 .. uint.MaxValue.</summary>
    public static uint FromDateTime(DateTime time)
    {
        return Clamp(Seconds(time));
    }

    /// <summary>Whole seconds since the epoch (floor), unclamped.</summary>
    public static long Seconds(DateTime time) => Math.DivRem(time.Ticks - UnixEpochTicks, TimeSpan.TicksPerSecond) is var (q, r) && r < 0 ? q - 1 : q;

    public static DateTime? ToDateTime(uint seconds) =>
        seconds == 0 ? null : new DateTime(UnixEpochTicks + (seconds * TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    public static uint Clamp(long seconds) => seconds < 1 ? 1u : seconds > uint.MaxValue ? uint.MaxValue : (uint)seconds;

    /// <summary>Parses <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (24 ASCII bytes) into seconds since the epoch.</summary>
    public static bool TryParse(ReadOnlySpan<byte> t, out long seconds)
    {
        seconds = 0;
        if (t.Length != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' || t[23] != 'Z')
        {
            return false;
        }

        if (!Digits(t[..4], out var year) || !Digits(t.Slice(5, 2), out var month) || !Digits(t.Slice(8, 2), out var day)
            || !Digits(t.Slice(11, 2), out var hour) || !Digits(t.Slice(14, 2), out var minute)
            || !Digits(t.Slice(17, 2), out var second) || !Digits(t.Slice(20, 3), out _))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        seconds = (DaysFromCivil(year, month, day) * 86_400L) + (hour * 3600) + (minute * 60) + second;
        return true;
    }

    /// <summary>Unsigned decimal digits only (no sign, no spaces); the caller bounds the length.</summary>
    internal static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            var d = b - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    /// <summary>Days from 1970-01-01 (H. Hinnant's days_from_civil, for years 1..9999).</summary>
    private static long DaysFromCivil(int year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = year / 400;
        var yoe = year - (era * 400);
        var doy = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1;
        var doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146_097L) + doe - 719_468;
    }
}
