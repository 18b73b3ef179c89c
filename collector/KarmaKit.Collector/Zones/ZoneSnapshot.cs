using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;

namespace KarmaKit.Collector.Zones;

/// <summary>
/// One list's zone content at one serial, taken from a single published <see cref="ListingIndex"/> (immutable, so the
/// capture is consistent while the engine goes on publishing): the RFC 5782 test entry first (the engine's answer for
/// 127.0.0.2 when it has one), then every listed key, IPv4 as /32 and IPv6 as /<c>Collector:Policy:Ipv6Prefix</c>.
/// What the built-in server answers, the zone export and AXFR write the same from this.
/// </summary>
internal sealed class ZoneSnapshot
{
    private ZoneSnapshot(DnsList list, uint serial, List<ZoneEntry> entries)
    {
        List = list;
        Serial = serial;
        Entries = entries;
    }

    public DnsList List { get; }

    /// <summary>The SOA serial the content belongs to.</summary>
    public uint Serial { get; }

    /// <summary>The test entry, then the listed keys (IPv4 in address order, then IPv6; the latest changes last).</summary>
    public IReadOnlyList<ZoneEntry> Entries { get; }

    public static ZoneSnapshot Capture(ListingEngine engine, DnsList list) => Capture(engine.Index(list), list, engine.Ipv6Prefix);

    public static ZoneSnapshot Capture(ListingIndex index, DnsList list, int ipv6Prefix)
    {
        var entries = new List<ZoneEntry>(index.Count + 1);
        var test = index.TryGet(Rfc5782TestEntries.Listed.Value, out var own) ? own : ListingAnswer.TestEntry;
        entries.Add(new ZoneEntry(Rfc5782TestEntries.Listed, 32, test));
        foreach (var (subject, answer) in index.Entries())
        {
            if (subject != Rfc5782TestEntries.Listed)
            {
                entries.Add(new ZoneEntry(subject, subject.IsIPv4 ? 32 : ipv6Prefix, answer));
            }
        }

        return new ZoneSnapshot(list, index.Serial, entries);
    }
}
