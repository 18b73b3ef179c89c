using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// One list as published, immutable: a sorted base (<see cref="ListingSet"/>, rebuilt now and then in the
/// background) and a small overlay of the changes since, keyed by the listing key. An overlay entry without an answer
/// is a removal. Readers look in the overlay, then the base; neither is ever written after publication, so lookups
/// take no lock and allocate nothing.
/// </summary>
internal sealed class ListingIndex
{
    public static readonly ListingIndex Empty = new(ListingSet.Build([]), [], 0, 0);

    public ListingIndex(ListingSet @base, Dictionary<UInt128, ListingAnswer> overlay, int count, uint serial)
    {
        Base = @base;
        Overlay = overlay;
        Count = count;
        Serial = serial;
    }

    public ListingSet Base { get; }

    /// <summary>Changes since <see cref="Base"/> was built; never written after publication.</summary>
    public Dictionary<UInt128, ListingAnswer> Overlay { get; }

    /// <summary>Entries listed.</summary>
    public int Count { get; }

    public uint Serial { get; }

    /// <summary>The answer for a listing key (already masked to its IPv6 prefix).</summary>
    public bool TryGet(UInt128 key, out ListingAnswer answer)
    {
        if (Overlay.Count != 0 && Overlay.TryGetValue(key, out answer))
        {
            return answer.IsValid;
        }

        return Base.TryGet(IpSubject.FromIPv6(key), out answer);
    }

    /// <summary>Every listed key with its answer (merge, export).</summary>
    public IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> Entries()
    {
        foreach (var entry in Base.Entries())
        {
            if (!Overlay.ContainsKey(entry.Key.Value))
            {
                yield return entry;
            }
        }

        foreach (var (key, answer) in Overlay)
        {
            if (answer.IsValid)
            {
                yield return new(IpSubject.FromIPv6(key), answer);
            }
        }
    }
}
