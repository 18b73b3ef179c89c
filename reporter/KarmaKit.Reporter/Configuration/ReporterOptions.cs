namespace KarmaKit.Reporter.Configuration;

/// <summary>
/// The <c>Reporter</c> configuration section. The top-level keys are the contract other parts rely on
/// (DESIGN.md §5); the sub-sections tune one component each. Every default works on loopback.
/// </summary>
internal sealed class ReporterOptions
{
    public const string Section = "Reporter";

    /// <summary>Reporter identity sent with every batch; defaults to the host name.</summary>
    public string Name { get; set; } = System.Net.Dns.GetHostName();

    /// <summary>readsocket TCP listener, <c>host:port</c>; empty disables it.</summary>
    public string Tcp { get; set; } = "127.0.0.1:4444";

    /// <summary>readsocket unix socket path; empty disables it.</summary>
    public string UnixSocket { get; set; } = "/run/karmakit/reporter.sock";

    /// <summary>Spool directory: the journal, delivery state and dead letters.</summary>
    public string Spool { get; set; } = "/var/spool/karmakit";

    /// <summary>Collector base URL; batches go to <c>{CollectorUrl}/v1/batches</c>.</summary>
    public string CollectorUrl { get; set; } = "http://127.0.0.1:8440/";

    /// <summary>Bearer token for the collector; without one every batch waits (401) until it is set.</summary>
    public string? Token { get; set; }

    public ListenerOptions Listener { get; set; } = new();

    public JournalOptions Journal { get; set; } = new();

    public ShippingOptions Shipping { get; set; } = new();
}
