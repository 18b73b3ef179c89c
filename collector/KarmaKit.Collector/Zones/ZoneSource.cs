using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;

namespace KarmaKit.Collector.Zones;

/// <summary>
/// The published <see cref="ListingIndex"/> of whatever <see cref="IDnsListing"/> the DNS server serves, and the
/// prefix length of its IPv6 keys: the listing engine in the collector, a <see cref="StaticListing"/> before it is
/// wired and in tests (its IPv6 entries are single addresses).
/// </summary>
internal static class ZoneSource
{
    public static ListingIndex Index(IDnsListing listing, DnsList list) => listing switch
    {
        ListingEngine engine => engine.Index(list),
        StaticListing fixedSet => fixedSet.Index(list),
        _ => throw new NotSupportedException($"no zone content from a {listing.GetType().Name}"),
    };

    public static int Ipv6Prefix(IDnsListing listing) => listing is ListingEngine engine ? engine.Ipv6Prefix : 128;

    public static ZoneSnapshot Capture(IDnsListing listing, DnsList list) => ZoneSnapshot.Capture(Index(listing, list), list, Ipv6Prefix(listing));
}
