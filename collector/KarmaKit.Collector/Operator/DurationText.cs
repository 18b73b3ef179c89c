using System.Globalization;

namespace KarmaKit.Collector.Operator;

/// <summary>How long an allow or a delist's hold lasts, as an operator types it: <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>, <c>2w</c>, or <c>7.00:00:00</c>.</summary>
internal static class DurationText
{
    /// <summary>Longest duration accepted (ten years): anything longer is an allow without end.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(3653);

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var unit = text[^1];
        var number = text.AsSpan(0, text.Length - 1);
        if (char.IsAsciiLetter(unit) && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 100_000)
        {
            duration = char.ToLowerInvariant(unit) switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                'w' => TimeSpan.FromDays(7 * n),
                _ => TimeSpan.Zero,
            };
        }
        else if (!text.Contains(':') || !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration))
        {
            return false; // a bare number ("10") would be read as days: ask for a unit or the d.hh:mm:ss form
        }

        return duration > TimeSpan.Zero && duration <= Max;
    }
}
