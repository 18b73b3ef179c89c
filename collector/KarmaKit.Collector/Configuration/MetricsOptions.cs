namespace KarmaKit.Collector.Configuration;

/// <summary><c>Collector:Metrics</c>: <c>GET /metrics</c> in the Prometheus text format on <c>Collector:Http</c>.</summary>
internal sealed class MetricsOptions
{
    /// <summary>Serve <c>/metrics</c> at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Answer scrapes from addresses other than loopback. Off: a remote client gets 403, because the page has no
    /// authentication and names every reporter with its volumes.
    /// </summary>
    public bool AllowRemote { get; set; }
}
