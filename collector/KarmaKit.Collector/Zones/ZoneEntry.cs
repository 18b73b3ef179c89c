using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Zones;

/// <summary>
/// One entry of a zone as files and transfers carry it: a network (its first address, IPv4 as IPv4) with the number of
/// leading bits that count, and the answer every address in it gets. The TXT's <c>{address}</c> is
/// <see cref="Network"/> (see <see cref="IDnsListing.ListedAs"/>).
/// </summary>
internal readonly record struct ZoneEntry(IpSubject Network, int PrefixLength, ListingAnswer Answer)
{
    /// <summary>A single address: /32 for IPv4, /128 for IPv6.</summary>
    public bool IsSingle => PrefixLength == (Network.IsIPv4 ? 32 : 128);
}
