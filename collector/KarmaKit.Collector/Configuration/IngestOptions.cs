namespace KarmaKit.Collector.Configuration;

/// <summary><c>Collector:Ingest</c>: the caps on one request and one reporter.</summary>
internal sealed class IngestOptions
{
    /// <summary>Largest request body; larger is answered 413 (the reporter splits the batch).</summary>
    public long MaxBodyBytes { get; set; } = 4L << 20;

    /// <summary>Most reports in one batch; more is answered 413.</summary>
    public int MaxReportsPerBatch { get; set; } = 10_000;

    /// <summary>Largest total of request headers (Kestrel MaxRequestHeadersTotalSize).</summary>
    public int MaxHeaderBytes { get; set; } = 16 * 1024;

    /// <summary>Time a client has to send its request headers.</summary>
    public TimeSpan HeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time a client has to send its whole body once the headers are in; then 408.</summary>
    public TimeSpan BodyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Slowest body upload allowed after a 5 s grace (Kestrel MinRequestBodyDataRate).</summary>
    public int MinBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Most connections at once (Kestrel MaxConcurrentConnections).</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>A report's <c>last</c> may be at most this far ahead of the collector's clock.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>Collector:Ingest:RateLimit</c>: a token bucket of batches per reporter.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>Per-reporter token bucket: <see cref="Burst"/> batches at once, refilled by <see cref="BatchesPerPeriod"/> every <see cref="Period"/>.</summary>
internal sealed class RateLimitOptions
{
    public int Burst { get; set; } = 200;

    public int BatchesPerPeriod { get; set; } = 100;

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);
}
