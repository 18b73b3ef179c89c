using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// One list as published, immutable, in three levels keyed by the listing key: a sorted base (<see cref="ListingSet"/>,
/// rebuilt now and then in the background), an overlay of the changes since (up to <see cref="ListingEngine.MergeAt"/>),
/// and the recent changes (up to <see cref="RecentLimit"/>), the only level copied at every publication, small enough to
/// stay off the large object heap. An entry without an answer is a removal. Readers look in recent, overlay, base;
/// nothing is written after publication, so lookups take no lock and allocate nothing.
/// </summary>
internal sealed class ListingIndex
{
    /// <summary>Recent changes folded into the overlay beyond this many (a copy of 1,024 entries is about 40 KB).</summary>
    public const int RecentLimit = 1024;

    public ListingIndex(ListingSet @base, Dictionary<UInt128, ListingAnswer> overlay, Dictionary<UInt128, ListingAnswer> recent, int count, uint serial)
    {
        Base = @base;
        Overlay = overlay;
        Recent = recent;
        Count = count;
        Serial = serial;
    }

    public ListingSet Base { get; }

    /// <summary>Changes since <see cref="Base"/> was built, but the recent ones; never written after publication.</summary>
    public Dictionary<UInt128, ListingAnswer> Overlay { get; }

    /// <summary>The latest changes, over <see cref="Overlay"/>; never written after publication.</summary>
    public Dictionary<UInt128, ListingAnswer> Recent { get; }

    /// <summary>Changes held over the base.</summary>
    public int Changes => Overlay.Count + Recent.Count;

    /// <summary>Entries listed.</summary>
    public int Count { get; }

    public uint Serial { get; }

    /// <summary>The answer for a listing key (already masked to its IPv6 prefix).</summary>
    public bool TryGet(UInt128 key, out ListingAnswer answer)
    {
        if (Recent.Count != 0 && Recent.TryGetValue(key, out answer))
        {
            return answer.IsValid;
        }

        if (Overlay.Count != 0 && Overlay.TryGetValue(key, out answer))
        {
            return answer.IsValid;
        }

        return Base.TryGet(IpSubject.FromIPv6(key), out answer);
    }

    /// <summary>The effective change held for a key over the base: recent, else overlay.</summary>
    public bool TryGetChange(UInt128 key, out ListingAnswer answer) =>
        Recent.TryGetValue(key, out answer) || Overlay.TryGetValue(key, out answer);

    /// <summary>Every listed key with its answer (merge, export).</summary>
    public IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> Entries()
    {
        foreach (var entry in Base.Entries())
        {
            if (!Overlay.ContainsKey(entry.Key.Value) && !Recent.ContainsKey(entry.Key.Value))
            {
                yield return entry;
            }
        }

        foreach (var (key, answer) in Overlay)
        {
            if (answer.IsValid && !Recent.ContainsKey(key))
            {
                yield return new(IpSubject.FromIPv6(key), answer);
            }
        }

        foreach (var (key, answer) in Recent)
        {
            if (answer.IsValid)
            {
                yield return new(IpSubject.FromIPv6(key), answer);
            }
        }
    }
}
