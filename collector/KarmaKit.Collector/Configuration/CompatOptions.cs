namespace KarmaKit.Collector.Configuration;

/// <summary>
/// <c>Collector:Compat</c>: the seed page's raw wire, kept working. A TCP listener that takes
/// <c>black 1.2.3.4</c> lines exactly as <c>${readsocket{inet:collector:444}{black $sender_host_address\n}{3s}{}{}}</c>
/// or socat sends them, from allowlisted source addresses only, and appends them to karma.log under the reporter
/// name the source maps to. Off unless <see cref="Tcp"/> is set. The wire is unauthenticated: the source address is
/// the only credential.
/// </summary>
internal sealed class CompatOptions
{
    /// <summary><c>IP:PORT</c> to listen on (<c>0.0.0.0:444</c>, <c>[::]:444</c>); empty (the default) means off.</summary>
    public string Tcp { get; set; } = "";

    /// <summary>
    /// The allowlist, <c>Collector:Compat:Sources:&lt;reporter name&gt;=&lt;addresses&gt;</c>: each reporter name with the
    /// source addresses or CIDR networks (separated by spaces, commas or semicolons) whose lines are taken as that
    /// reporter's. Keyed by name because addresses and networks hold ':' and '/', which configuration keys cannot.
    /// The most specific network wins. Connections from any other address are closed without reading.
    /// </summary>
    public Dictionary<string, string> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Most connections served at once; more get <c>error busy</c> and are closed.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>Most lines one connection may send (one reply line each).</summary>
    public int MaxLinesPerConnection { get; set; } = 16;

    /// <summary>The time one connection may take from accept to the reply (a slow sender gets <c>error timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Listen backlog; a full backlog makes every Exim caller wait its whole timeout.</summary>
    public int Backlog { get; set; } = 512;
}
