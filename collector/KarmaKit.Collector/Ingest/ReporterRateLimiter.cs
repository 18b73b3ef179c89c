using System.Threading.RateLimiting;
using KarmaKit.Collector.Configuration;

namespace KarmaKit.Collector.Ingest;

/// <summary>A token bucket of batches per reporter (<c>Collector:Ingest:RateLimit</c>); empty means 429 with Retry-After.</summary>
internal sealed class ReporterRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _period;

    public ReporterRateLimiter(RateLimitOptions options)
    {
        _period = options.Period;
        _limiter = PartitionedRateLimiter.Create<string, string>(reporter => RateLimitPartition.GetTokenBucketLimiter(
            reporter,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.Burst,
                TokensPerPeriod = options.BatchesPerPeriod,
                ReplenishmentPeriod = options.Period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes one batch from the reporter's bucket; when empty, says how long until it has one again.</summary>
    public bool TryAcquire(string reporter, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(reporter);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _period;
        return false;
    }

    public void Dispose() => _limiter.Dispose();
}
