using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// The last few versions of each list that secondaries were sent, so an IXFR from one of them can be answered with the
/// difference (RFC 1995) instead of the whole zone. A version is the immutable <see cref="ListingIndex"/> published at
/// that serial; two versions over the same base (the sorted array the engine rebuilds now and then) differ only in
/// keys held in their overlays, so the difference costs the changes since the last rebuild, not the zone. A version
/// over an older base is forgotten, and an IXFR from it gets the whole zone.
/// </summary>
internal sealed class ZoneHistory
{
    /// <summary>Versions kept per list.</summary>
    public const int Capacity = 16;

    /// <summary>A difference of up to this many keys is sent even when the zone itself is smaller.</summary>
    private const int MaxSmallDiff = 1024;

    private readonly Lock _lock = new();
    private readonly List<ListingIndex>[] _served = [.. Enum.GetValues<DnsList>().Select(_ => new List<ListingIndex>())];

    /// <summary>Remembers that a secondary now holds <paramref name="index"/>.</summary>
    public void Served(DnsList list, ListingIndex index)
    {
        lock (_lock)
        {
            var versions = _served[(int)list];
            versions.RemoveAll(v => v.Serial == index.Serial || !ReferenceEquals(v.Base, index.Base));
            versions.Add(index);
            if (versions.Count > Capacity)
            {
                versions.RemoveAt(0);
            }
        }
    }

    /// <summary>
    /// The entries removed and added from the version at <paramref name="serial"/> to <paramref name="current"/>; false
    /// when that version is not known, or the difference touches more keys than the zone holds (and over 1,024).
    /// </summary>
    public bool TryDiff(DnsList list, uint serial, ListingIndex current, int ipv6Prefix, out List<ZoneEntry> removed, out List<ZoneEntry> added)
    {
        removed = [];
        added = [];
        ListingIndex? old;
        lock (_lock)
        {
            old = _served[(int)list].Find(v => v.Serial == serial && ReferenceEquals(v.Base, current.Base));
        }

        if (old is null)
        {
            return false;
        }

        var keys = new HashSet<UInt128>(old.Overlay.Keys);
        keys.UnionWith(old.Recent.Keys);
        keys.UnionWith(current.Overlay.Keys);
        keys.UnionWith(current.Recent.Keys);
        if (keys.Count > Math.Max(current.Count, MaxSmallDiff))
        {
            return false; // the whole zone is shorter
        }

        var test = Rfc5782TestEntries.Listed.Value;
        foreach (var key in keys)
        {
            var had = old.TryGet(key, out var before);
            var has = current.TryGet(key, out var after);
            if (key == test)
            {
                // The test entry is always in the zone, with the engine's answer when it has one (ZoneSnapshot).
                (had, has, before, after) = (true, true, had ? before : ListingAnswer.TestEntry, has ? after : ListingAnswer.TestEntry);
            }

            if (had == has && (!had || before == after))
            {
                continue;
            }

            var subject = IpSubject.FromIPv6(key);
            var prefix = subject.IsIPv4 ? 32 : ipv6Prefix;
            if (had)
            {
                removed.Add(new ZoneEntry(subject, prefix, before));
            }

            if (has)
            {
                added.Add(new ZoneEntry(subject, prefix, after));
            }
        }

        return true;
    }
}
