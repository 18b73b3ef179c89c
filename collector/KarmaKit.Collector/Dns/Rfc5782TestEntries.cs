using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// RFC 5782 §5's test entries, which every DNSBL zone must carry whatever the listing holds: 127.0.0.2 listed and
/// 127.0.0.1 never. Their IPv6 forms ::FFFF:7F00:2 and ::FFFF:7F00:1 are the same <see cref="IpSubject"/> values.
/// </summary>
internal static class Rfc5782TestEntries
{
    /// <summary>127.0.0.2 (and ::FFFF:7F00:2): always listed.</summary>
    public static readonly IpSubject Listed = IpSubject.FromIPv4(0x7F00_0002);

    /// <summary>127.0.0.1 (and ::FFFF:7F00:1): never listed.</summary>
    public static readonly IpSubject Unlisted = IpSubject.FromIPv4(0x7F00_0001);
}
