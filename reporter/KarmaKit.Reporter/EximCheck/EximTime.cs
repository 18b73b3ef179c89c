using System.Globalization;

namespace KarmaKit.Reporter.EximCheck;

/// <summary>
/// Exim's time values as readsocket's timeout takes them (readconf_readtime): whole numbers with the
/// units w, d, h, m, s, in sequence (<c>1m30s</c>), every number with its unit. Exim 4.96 reads anything
/// else (<c>500ms</c>, <c>1.5s</c>, a bare <c>1</c>) and zero as no timeout at all, silently: a bare number
/// is not seconds here (verified: <c>{1}</c> against a silent listener waits for ever, <c>{1s}</c> 1 s).
/// </summary>
internal static class EximTime
{
    /// <summary>The value in seconds, or null when Exim would not read it as a timeout.</summary>
    public static long? Seconds(string value)
    {
        long total = 0;
        var i = 0;
        if (value.Length == 0)
        {
            return null;
        }

        while (i < value.Length)
        {
            var start = i;
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
            }

            if (i == start || !long.TryParse(value.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            if (i == value.Length)
            {
                return null; // readconf_readtime wants a unit after every number
            }

            var unit = value[i++];
            long? multiplier = unit switch
            {
                'w' => 7 * 24 * 3600,
                'd' => 24 * 3600,
                'h' => 3600,
                'm' => 60,
                's' => 1,
                _ => null,
            };
            if (multiplier is null)
            {
                return null;
            }

            total += number * multiplier.Value;
        }

        return total > 0 ? total : null;
    }
}
