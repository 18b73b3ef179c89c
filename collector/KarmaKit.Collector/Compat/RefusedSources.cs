using System.Net;

namespace KarmaKit.Collector.Compat;

/// <summary>
/// Logs refused source addresses at Warning without letting a scanner flood the log: the first refusal of an
/// address is logged, then at most one line per <see cref="Interval"/> per address, carrying how many were not.
/// Remembers at most <see cref="MaxSources"/> addresses; past that it starts over (a few repeated warnings at worst).
/// </summary>
internal sealed class RefusedSources(TimeProvider time, ILogger logger)
{
    public const int MaxSources = 4096;

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private readonly Dictionary<IPAddress, (DateTimeOffset Logged, long Suppressed)> _seen = [];
    private readonly Lock _lock = new();

    /// <summary>Records one refused connection; returns true when it was logged.</summary>
    public bool Report(IPAddress source)
    {
        var now = time.GetUtcNow();
        long suppressed;
        lock (_lock)
        {
            if (_seen.TryGetValue(source, out var seen) && now - seen.Logged < Interval)
            {
                _seen[source] = seen with { Suppressed = seen.Suppressed + 1 };
                return false;
            }

            if (_seen.Count >= MaxSources)
            {
                _seen.Clear();
            }

            suppressed = seen.Suppressed;
            _seen[source] = (now, 0);
        }

        logger.CompatSourceRefused(source, suppressed, Interval);
        return true;
    }
}
