using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;

namespace KarmaKit.Collector.Zones;

/// <summary>
/// A <see cref="ZoneSnapshot"/> of whatever <see cref="IDnsListing"/> the DNS server serves: the listing engine in
/// the collector, a <see cref="StaticListing"/> before it is wired and in tests (its IPv6 entries are single addresses).
/// </summary>
internal static class ZoneSource
{
    public static ZoneSnapshot Capture(IDnsListing listing, DnsList list) => listing switch
    {
        ListingEngine engine => ZoneSnapshot.Capture(engine, list),
        StaticListing fixedSet => ZoneSnapshot.Capture(fixedSet.Index(list), list, 128),
        _ => throw new NotSupportedException($"no zone content from a {listing.GetType().Name}"),
    };
}
