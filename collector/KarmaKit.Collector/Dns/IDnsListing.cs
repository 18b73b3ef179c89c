using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns;

/// <summary>The two lists the DNS server publishes, each in its own zone.</summary>
internal enum DnsList
{
    /// <summary><c>Collector:Dns:Zone</c>: the blocklist, from black reports.</summary>
    Block,

    /// <summary><c>Collector:Dns:AllowZone</c>: the allowlist, from white reports.</summary>
    Allow,
}

/// <summary>
/// The read side of the listing engine, as the DNS server sees it. The server calls it for every query, from several
/// receive threads at once, so an implementation must keep this contract:
/// <list type="bullet">
/// <item><b>Hot path.</b> <see cref="TryGet"/> and <see cref="Serial"/> are thread-safe, never block (no lock a writer
/// can hold, no wait, no I/O) and do not allocate. Budget: well under a microsecond.</item>
/// <item><b>Consistent snapshots.</b> Each call answers from one published state, old or new, never a torn mix.
/// Writers build changes on the side and publish them by a reference swap of an immutable snapshot (or use structures
/// that are safe for concurrent readers), so replacing or updating millions of entries never stalls a reader
/// (<see cref="StaticListing"/> shows the pattern).</item>
/// <item><b>Exact subjects.</b> The subject is the address of the queried name: IPv4 (and the IPv4-mapped IPv6 names,
/// which are the same <see cref="IpSubject"/>) or the full 128-bit IPv6 address. Aggregation (an IPv6 /64, a CIDR on
/// the allowlist) is the engine's business: it answers for the exact address asked.</item>
/// <item><b>Test entries.</b> The server itself answers the RFC 5782 §5 test entries (127.0.0.2 and ::FFFF:7F00:2
/// listed, 127.0.0.1 and ::FFFF:7F00:1 never), using the engine's answer for 127.0.0.2 when it has one; the zone export
/// must write them too.</item>
/// <item><b>Serial.</b> <see cref="Serial"/> is the list's SOA serial; it increases (RFC 1982 arithmetic) with every
/// change that <see cref="TryGet"/> can see, and a change is visible through <see cref="TryGet"/> no later than the
/// serial that announces it.</item>
/// </list>
/// </summary>
internal interface IDnsListing
{
    /// <summary>Whether <paramref name="subject"/> is on <paramref name="list"/>, and with which answer.</summary>
    bool TryGet(DnsList list, IpSubject subject, out ListingAnswer answer);

    /// <summary>The SOA serial of <paramref name="list"/>'s zone.</summary>
    uint Serial(DnsList list);

    /// <summary>
    /// The address that <c>{address}</c> in the TXT of <paramref name="subject"/>'s entry stands for: the entry's own
    /// key (an IPv6 prefix's network address when addresses are aggregated), not the address asked, so that zone
    /// files and transfers, which cannot substitute per query, answer exactly as the server does. Hot path, as above.
    /// </summary>
    IpSubject ListedAs(DnsList list, IpSubject subject) => subject;
}
