using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>Publication: changes staged against the published index, then one new immutable index per list.</summary>
internal sealed partial class ListingEngine
{
    private static void Stage(ListingIndex index, Dictionary<UInt128, ListingAnswer> pending, UInt128 key, ListingAnswer answer)
    {
        var had = index.TryGet(key, out var old);
        if (had ? !answer.IsValid || old != answer : answer.IsValid)
        {
            pending[key] = answer;
        }
    }

    /// <summary>
    /// A new index: the recent changes copied with the new ones (or, past <see cref="ListingIndex.RecentLimit"/>,
    /// folded into a copy of the overlay), the count adjusted, the serial one up.
    /// </summary>
    private static ListingIndex Apply(ListingIndex index, Dictionary<UInt128, ListingAnswer> pending)
    {
        if (pending.Count == 0)
        {
            return index;
        }

        var recent = new Dictionary<UInt128, ListingAnswer>(index.Recent);
        var count = index.Count;
        foreach (var (key, answer) in pending)
        {
            count += (answer.IsValid ? 1 : 0) - (index.TryGet(key, out _) ? 1 : 0);
            recent[key] = answer;
        }

        var overlay = index.Overlay;
        if (recent.Count > ListingIndex.RecentLimit)
        {
            overlay = new Dictionary<UInt128, ListingAnswer>(overlay);
            foreach (var (key, answer) in recent)
            {
                if (!answer.IsValid && !index.Base.TryGet(IpSubject.FromIPv6(key), out _))
                {
                    overlay.Remove(key); // never in the base: nothing to hide
                }
                else
                {
                    overlay[key] = answer;
                }
            }

            recent = [];
        }

        return new ListingIndex(index.Base, overlay, recent, count, unchecked(index.Serial + 1));
    }
}
