namespace KarmaKit.Collector.Configuration;

/// <summary>
/// The <c>Collector</c> configuration section. The top-level keys are the contract other parts rely on
/// (DESIGN.md §5); the sub-sections tune one component each. Every default works on loopback.
/// </summary>
internal sealed class CollectorOptions
{
    public const string Section = "Collector";

    /// <summary>Ingest and operator HTTP listener, <c>http://IP:PORT</c> or <c>https://IP:PORT</c>.</summary>
    public string Http { get; set; } = "http://127.0.0.1:8440";

    /// <summary>
    /// Allow plain <c>http://</c> on an address other than loopback. Off: tokens would cross the network in clear,
    /// so a non-loopback listener must be https unless the operator says so here (e.g. behind a TLS proxy).
    /// </summary>
    public bool AllowPlainHttpOffLoopback { get; set; }

    /// <summary>The append-only report log.</summary>
    public string Log { get; set; } = "/var/log/karmakit/karma.log";

    /// <summary>State directory: the reporters' token file (reporters.json), the instance lock and the state snapshot.</summary>
    public string Data { get; set; } = "/var/lib/karmakit";

    /// <summary>Known reporters by name; <c>Collector:Reporters:NAME:Token</c>.</summary>
    public Dictionary<string, ReporterEntry> Reporters { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Collector:Tls</c>: certificate for an https listener.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary><c>Collector:Ingest</c>: limits of <c>POST /v1/batches</c>.</summary>
    public IngestOptions Ingest { get; set; } = new();

    /// <summary><c>Collector:Idempotency</c>: how long batch ids are remembered.</summary>
    public IdempotencyOptions Idempotency { get; set; } = new();

    /// <summary><c>Collector:Compat</c>: the seed's raw readsocket wire from allowlisted addresses (off by default).</summary>
    public CompatOptions Compat { get; set; } = new();

    /// <summary><c>Collector:Metrics</c>: the Prometheus page.</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary><c>Collector:Dns</c>: the authoritative DNS server for the lists.</summary>
    public Dns.DnsOptions Dns { get; set; } = new();

    /// <summary><c>Collector:State</c>: the DNSBL state rebuilt from karma.log and its snapshot.</summary>
    public StateOptions State { get; set; } = new();

    /// <summary><c>Collector:Admin</c>: the operator's token for <c>/admin/</c> (lookup, allow, delist, stats).</summary>
    public AdminOptions Admin { get; set; } = new();

    /// <summary><c>Collector:Policy</c>: when a reported address is listed.</summary>
    public Listing.ListingPolicyOptions Policy { get; set; } = new();

    /// <summary><c>Collector:Export</c>: the zone files for rbldnsd and BIND-format servers.</summary>
    public Export.ExportOptions Export { get; set; } = new();
}

/// <summary>One reporter: <c>Collector:Reporters:NAME</c>.</summary>
internal sealed class ReporterEntry
{
    /// <summary>The bearer token, plain or <c>sha256:&lt;64 hex digits&gt;</c> (the SHA-256 of the plain token).</summary>
    public string? Token { get; set; }
}

/// <summary><c>Collector:Tls</c>: PEM files for an https <c>Collector:Http</c>.</summary>
internal sealed class TlsOptions
{
    /// <summary>PEM certificate (chain) file.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key file (unencrypted).</summary>
    public string? Key { get; set; }
}

/// <summary><c>Collector:Idempotency</c>.</summary>
internal sealed class IdempotencyOptions
{
    /// <summary>A batch id is remembered (a resend answers duplicate) for this long after it was appended.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(7);
}

/// <summary><c>Collector:State</c>.</summary>
internal sealed class StateOptions
{
    /// <summary>How often the state snapshot (<c>Collector:Data/state.snapshot</c>) is written when reports came in; also at stop.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a long replay of karma.log at start logs its progress.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);
}
