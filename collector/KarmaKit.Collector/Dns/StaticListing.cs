using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// An in-memory <see cref="IDnsListing"/> over fixed sets of entries: the RFC 5782 test entries until the listing
/// engine is wired, a generated set in tests and the DNS benchmark. It shows the contract's publication pattern:
/// <see cref="Replace"/> builds a new immutable <see cref="ListingSnapshot"/> on the caller's thread and publishes it
/// with one reference write, so readers never wait and never see half a change, whatever the size of the set.
/// </summary>
internal sealed class StaticListing : IDnsListing
{
    private readonly Lock _writeLock = new();
    private ListingSnapshot _snapshot;

    public StaticListing(IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> block, IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> allow, uint serial = 1)
    {
        _snapshot = new ListingSnapshot(ListingSet.Build(block), ListingSet.Build(allow), serial);
    }

    /// <summary>The RFC 5782 test entries in both lists, and nothing else.</summary>
    public static StaticListing WithTestEntries(uint serial = 1) => new(TestEntries, TestEntries, serial);

    /// <summary>127.0.0.2 (which is also ::FFFF:7F00:2), listed with <see cref="ListingAnswer.TestEntry"/>.</summary>
    public static IReadOnlyList<KeyValuePair<IpSubject, ListingAnswer>> TestEntries { get; } =
        [new(IpSubject.FromIPv4(0x7F00_0002), ListingAnswer.TestEntry)];

    /// <summary>The number of entries on a list.</summary>
    public int Count(DnsList list) => Volatile.Read(ref _snapshot).Get(list).Count;

    public bool TryGet(DnsList list, IpSubject subject, out ListingAnswer answer) =>
        Volatile.Read(ref _snapshot).Get(list).TryGet(subject, out answer);

    public uint Serial(DnsList list) => Volatile.Read(ref _snapshot).Serial;

    /// <summary>A list as a <see cref="Listing.ListingIndex"/> with its serial, for zone transfers of a static set (tests).</summary>
    public Listing.ListingIndex Index(DnsList list)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        var set = snapshot.Get(list);
        return new Listing.ListingIndex(set, [], [], set.Count, snapshot.Serial);
    }

    /// <summary>Publishes new contents for <paramref name="list"/> and a serial one higher, atomically for readers.</summary>
    public void Replace(DnsList list, IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> entries)
    {
        var set = ListingSet.Build(entries);
        lock (_writeLock)
        {
            var old = _snapshot;
            var next = list == DnsList.Block
                ? new ListingSnapshot(set, old.Allow, unchecked(old.Serial + 1))
                : new ListingSnapshot(old.Block, set, unchecked(old.Serial + 1));
            Volatile.Write(ref _snapshot, next);
        }
    }

    private sealed record ListingSnapshot(ListingSet Block, ListingSet Allow, uint Serial)
    {
        public ListingSet Get(DnsList list) => list == DnsList.Block ? Block : Allow;
    }
}
