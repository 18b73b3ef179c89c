namespace KarmaKit.Collector.Dns;

/// <summary>
/// <c>Collector:Dns</c>: the built-in authoritative DNS server for the blocklist and allowlist zones (RFC 5782).
/// TTLs and SOA timers are whole seconds written as TimeSpans (<c>00:05:00</c>).
/// </summary>
internal sealed class DnsOptions
{
    /// <summary>UDP and TCP listener, <c>IP:PORT</c> or <c>[IPv6]:PORT</c>; empty disables the server; port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "127.0.0.1:5353";

    /// <summary>The blocklist zone.</summary>
    public string Zone { get; set; } = "bl.karmakit.test";

    /// <summary>The allowlist zone (white reports); empty serves the blocklist only.</summary>
    public string AllowZone { get; set; } = "wl.karmakit.test";

    /// <summary>The zones' name servers, separated by commas or spaces; the first is the SOA's MNAME.</summary>
    public string Ns { get; set; } = "ns1.karmakit.test";

    /// <summary>The SOA's RNAME, as a mail address (<c>hostmaster@karmakit.test</c>) or in DNS form.</summary>
    public string Hostmaster { get; set; } = "hostmaster@karmakit.test";

    /// <summary>TTL of the A, TXT, NS and SOA answers; bounds how long a delisting lingers in resolvers' caches.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The SOA minimum and the TTL of the SOA sent with NXDOMAIN and NODATA (RFC 2308): bounds how long a new listing stays hidden.</summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>SOA refresh, for secondaries.</summary>
    public TimeSpan Refresh { get; set; } = TimeSpan.FromHours(1);

    /// <summary>SOA retry, for secondaries.</summary>
    public TimeSpan Retry { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>SOA expire, for secondaries.</summary>
    public TimeSpan Expire { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The TXT of a listed entry: <c>{reason}</c>, <c>{url}</c> (<see cref="LookupUrl"/>) and <c>{address}</c> are replaced; at most 255 bytes are sent.</summary>
    public string TxtTemplate { get; set; } = "{reason} - see {url}";

    /// <summary>The lookup URL in the TXT; <c>{address}</c> is the listed address.</summary>
    public string LookupUrl { get; set; } = "http://127.0.0.1:8440/lookup/{address}";

    /// <summary>The EDNS0 UDP payload size the server announces and the largest UDP answer it sends (DNS flag day 2020: 1232).</summary>
    public int UdpPayloadSize { get; set; } = 1232;

    /// <summary>Threads receiving on the UDP socket; 0 means one per processor.</summary>
    public int UdpReceivers { get; set; }

    /// <summary>Most TCP connections at once; more are closed at accept.</summary>
    public int TcpMaxConnections { get; set; } = 256;

    /// <summary>A TCP connection with no complete query for this long is closed (RFC 7766 suggests seconds).</summary>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Collector:Dns:Transfer</c>: zone transfers (AXFR, IXFR) to secondaries.</summary>
    public Transfer.TransferOptions Transfer { get; set; } = new();

    /// <summary>Secondaries told of each new serial (RFC 1996 NOTIFY), <c>IP</c> or <c>IP:PORT</c> (port 53 by default), separated by commas or spaces; empty sends none.</summary>
    public string Notify { get; set; } = "";

    /// <summary>At most one NOTIFY per zone per this interval: changes in between are announced together.</summary>
    public TimeSpan NotifyInterval { get; set; } = TimeSpan.FromSeconds(2);
}
