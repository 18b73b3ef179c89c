using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// Addresses never listed: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates) in
/// their "globally reachable" view. A block that the registry marks globally reachable (NAT64's 64:ff9b::/96 aside,
/// whose addresses are IPv4 addresses in disguise and are listed as such) can be listed, and so can the globally
/// reachable sub-blocks of 192.0.0.0/24 and 2001::/23 (exceptions below). IPv4 is matched inside ::ffff:0:0/96, the
/// way <see cref="IpSubject"/> holds it. The RFC 5782 test entry 127.0.0.2 is the one exception in 127/8.
/// </summary>
internal static class SpecialPurposeRanges
{
    /// <summary>Never listed (unless an exception below or, for documentation, the switch says otherwise).</summary>
    public static IReadOnlyList<SpecialRange> Never { get; } =
    [
        V4("0.0.0.0", 8, "this network (RFC 791)"),
        V4("10.0.0.0", 8, "private (RFC 1918)"),
        V4("100.64.0.0", 10, "shared address space (RFC 6598)"),
        V4("127.0.0.0", 8, "loopback (RFC 1122)"),
        V4("169.254.0.0", 16, "link-local (RFC 3927)"),
        V4("172.16.0.0", 12, "private (RFC 1918)"),
        V4("192.0.0.0", 24, "IETF protocol assignments (RFC 6890)"),
        V4("192.0.2.0", 24, "documentation (RFC 5737)", documentation: true),
        V4("192.88.99.0", 24, "deprecated 6to4 relay anycast (RFC 7526)"),
        V4("192.168.0.0", 16, "private (RFC 1918)"),
        V4("198.18.0.0", 15, "benchmarking (RFC 2544)"),
        V4("198.51.100.0", 24, "documentation (RFC 5737)", documentation: true),
        V4("203.0.113.0", 24, "documentation (RFC 5737)", documentation: true),
        V4("224.0.0.0", 4, "multicast (RFC 5771)"),
        V4("240.0.0.0", 4, "reserved (RFC 1112)"), // includes 255.255.255.255, limited broadcast
        V6("::", 128, "unspecified (RFC 4291)"),
        V6("::1", 128, "loopback (RFC 4291)"),
        V6("64:ff9b::", 96, "NAT64 well-known prefix (RFC 6052): list the IPv4 address"),
        V6("64:ff9b:1::", 48, "local-use NAT64 (RFC 8215)"),
        V6("100::", 64, "discard-only (RFC 6666)"),
        V6("2001::", 23, "IETF protocol assignments (RFC 2928)"),
        V6("2001:db8::", 32, "documentation (RFC 3849)", documentation: true),
        V6("2002::", 16, "6to4 (RFC 3056)"),
        V6("3fff::", 20, "documentation (RFC 9637)", documentation: true),
        V6("fc00::", 7, "unique local (RFC 4193)"),
        V6("fe80::", 10, "link-local (RFC 4291)"),
        V6("ff00::", 8, "multicast (RFC 4291)"),
    ];

    /// <summary>Globally reachable blocks inside the ranges above, per the registries, and the RFC 5782 test entry.</summary>
    public static IReadOnlyList<SpecialRange> Exceptions { get; } =
    [
        V4("127.0.0.2", 32, "RFC 5782 test entry"),
        V4("192.0.0.9", 32, "port control protocol anycast (RFC 7723)"),
        V4("192.0.0.10", 32, "TURN anycast (RFC 8155)"),
        V6("2001:1::1", 128, "port control protocol anycast (RFC 7723)"),
        V6("2001:1::2", 128, "TURN anycast (RFC 8155)"),
        V6("2001:1::3", 128, "DNS-SD service registration protocol anycast (RFC 9665)"),
        V6("2001:3::", 32, "AMT (RFC 7450)"),
        V6("2001:4:112::", 48, "AS112-v6 (RFC 7535)"),
        V6("2001:20::", 28, "ORCHIDv2 (RFC 7343)"),
        V6("2001:30::", 28, "drone remote ID (RFC 9374)"),
    ];

    /// <summary>The special range <paramref name="subject"/> (a whole address or a prefix's first address) is in, or null.</summary>
    public static SpecialRange? Find(IpSubject subject, bool listDocumentation)
    {
        foreach (var exception in Exceptions)
        {
            if (exception.Contains(subject))
            {
                return null;
            }
        }

        foreach (var range in Never)
        {
            if (range.Contains(subject) && !(listDocumentation && range.Documentation))
            {
                return range;
            }
        }

        return null;
    }

    private static SpecialRange V4(string network, int length, string name, bool documentation = false) =>
        new(IpSubject.Parse(network).Value, length + 96, $"{network}/{length}", name, documentation);

    private static SpecialRange V6(string network, int length, string name, bool documentation = false) =>
        new(IpSubject.Parse(network).Value, length, $"{network}/{length}", name, documentation);
}

/// <summary>One registry entry: a prefix of the 128-bit subject space.</summary>
internal sealed record SpecialRange(UInt128 Network, int Length, string Cidr, string Name, bool Documentation)
{
    // Both are asked for on every evaluation of a key (twice per ingested report's key): computed once.
    private readonly UInt128 _mask = Prefix.Mask(Length);

    /// <summary>"CIDR name", the detail of a decision refused for this range.</summary>
    public string Text { get; } = $"{Cidr} {Name}";

    public bool Contains(IpSubject subject) => (subject.Value & _mask) == Network;
}

/// <summary>Masks for prefixes of 128-bit addresses.</summary>
internal static class Prefix
{
    public static UInt128 Mask(int length) => length <= 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);
}
