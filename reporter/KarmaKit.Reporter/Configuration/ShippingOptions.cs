namespace KarmaKit.Reporter.Configuration;

/// <summary><c>Reporter:Shipping</c>: batching and the resilience pipeline towards the collector.</summary>
internal sealed class ShippingOptions
{
    /// <summary>Most spooled reports in one batch (before coalescing).</summary>
    public int MaxBatchReports { get; set; } = 500;

    /// <summary>Most JSON bytes in one batch, about.</summary>
    public int MaxBatchBytes { get; set; } = 256 * 1024;

    /// <summary>How long the first report of a batch may wait for more before the batch goes.</summary>
    public TimeSpan MaxBatchAge { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay; it doubles, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the circuit stays open after it breaks.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Failure ratio over <see cref="BreakSamplingDuration"/> that breaks the circuit.</summary>
    public double BreakFailureRatio { get; set; } = 0.5;

    public TimeSpan BreakSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public int BreakMinimumThroughput { get; set; } = 5;
}
