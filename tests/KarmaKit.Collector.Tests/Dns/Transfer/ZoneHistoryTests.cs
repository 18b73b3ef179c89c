using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Dns.Transfer;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;
using static KarmaKit.Collector.Tests.Dns.Transfer.TransferTestZones;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

public class ZoneHistoryTests
{
    private static readonly ListingAnswer Spam = new(0x7F00_0004, "spam");
    private static readonly ListingAnswer Virus = new(0x7F00_0003, "virus");
    private static readonly ListingSet Base = ListingSet.Build([Entry("192.0.2.1", Spam), Entry("192.0.2.2", Spam), Entry("2001:db8:1:2::", Spam)]);

    [Fact]
    public void TryDiff_ServedVersionOverTheSameBase_RemovedChangedAndAdded()
    {
        var old = Index(10, ("192.0.2.3", Spam));
        var current = Index(14, ("192.0.2.3", Spam), ("192.0.2.1", default), ("192.0.2.2", Virus), ("198.51.100.1", Spam), ("2001:db8:9:9::", Spam));
        var sut = new ZoneHistory();
        sut.Served(DnsList.Block, old);

        Assert.True(sut.TryDiff(DnsList.Block, 10, current, 64, out var removed, out var added));

        Assert.Equal([new ZoneEntry(IpSubject.Parse("192.0.2.1"), 32, Spam), new ZoneEntry(IpSubject.Parse("192.0.2.2"), 32, Spam)], removed.OrderBy(e => e.Network.Value));
        Assert.Equal(
            [new ZoneEntry(IpSubject.Parse("192.0.2.2"), 32, Virus), new ZoneEntry(IpSubject.Parse("198.51.100.1"), 32, Spam), new ZoneEntry(IpSubject.Parse("2001:db8:9:9::"), 64, Spam)],
            added.OrderBy(e => e.Network.Value));
    }

    [Fact]
    public void TryDiff_TestEntryGivenItsOwnAnswerThenDropped_ChangedBothWays()
    {
        var sut = new ZoneHistory();
        sut.Served(DnsList.Block, Index(10));
        sut.Served(DnsList.Block, Index(11, ("127.0.0.2", Spam)));

        Assert.True(sut.TryDiff(DnsList.Block, 10, Index(11, ("127.0.0.2", Spam)), 64, out var removed, out var added));
        Assert.Equal((ListingAnswer.TestEntry, Spam), (Assert.Single(removed).Answer, Assert.Single(added).Answer));
        Assert.True(sut.TryDiff(DnsList.Block, 11, Index(12, ("127.0.0.2", default)), 64, out removed, out added));
        Assert.Equal((Spam, ListingAnswer.TestEntry), (Assert.Single(removed).Answer, Assert.Single(added).Answer));
    }

    [Fact]
    public void TryDiff_UnknownSerialOrAnotherBaseOrAnotherList_False()
    {
        var sut = new ZoneHistory();
        sut.Served(DnsList.Block, Index(10));
        var rebuilt = new ListingIndex(ListingSet.Build([Entry("192.0.2.1", Spam)]), [], [], 1, 12);

        Assert.False(sut.TryDiff(DnsList.Block, 9, Index(12), 64, out _, out _));
        Assert.False(sut.TryDiff(DnsList.Block, 10, rebuilt, 64, out _, out _));
        Assert.False(sut.TryDiff(DnsList.Allow, 10, Index(12), 64, out _, out _));
    }

    [Fact]
    public void Served_MoreThanCapacity_OldestForgotten()
    {
        var sut = new ZoneHistory();
        for (uint serial = 1; serial <= ZoneHistory.Capacity + 1; serial++)
        {
            sut.Served(DnsList.Block, Index(serial));
        }

        Assert.False(sut.TryDiff(DnsList.Block, 1, Index(100), 64, out _, out _));
        Assert.True(sut.TryDiff(DnsList.Block, 2, Index(100), 64, out _, out _));
    }

    [Fact]
    public void Incremental_Messages_NewOldRemovedNewAddedNew()
    {
        var removed = new List<ZoneEntry> { new(IpSubject.Parse("192.0.2.1"), 32, Spam) };
        var added = new List<ZoneEntry> { new(IpSubject.Parse("192.0.2.9"), 32, Virus) };
        var settings = Settings();
        var sut = ZoneTransferMessages.Incremental(settings, settings.Zones[0], 10, 14, removed, added);
        var buffer = new byte[65535];

        var records = Records([buffer[..sut.Next(buffer, 65535, DnsPackets.Query(DnsTestZones.Bl, DnsWire.TypeIxfr).AsSpan(12), 1, 0)]]);

        static string Soa(uint serial) => $"bl.karmakit.test. 6 ns1.karmakit.test. hostmaster.karmakit.test. {serial} 3600 600 604800 60";
        Assert.Equal(
            [
                Soa(14), Soa(10),
                "1.2.0.192.bl.karmakit.test. 1 127.0.0.4", "1.2.0.192.bl.karmakit.test. 16 spam",
                Soa(14),
                "9.2.0.192.bl.karmakit.test. 1 127.0.0.3", "9.2.0.192.bl.karmakit.test. 16 virus",
                Soa(14),
            ],
            records);
        Assert.Equal(0, sut.Next(buffer, 65535, [], 1, 0));
    }

    private static KeyValuePair<IpSubject, ListingAnswer> Entry(string subject, ListingAnswer answer) => new(IpSubject.Parse(subject), answer);

    /// <summary>An index over <see cref="Base"/> with recent changes (a default answer removes).</summary>
    private static ListingIndex Index(uint serial, params (string Key, ListingAnswer Answer)[] changes) =>
        new(Base, [], changes.ToDictionary(c => IpSubject.Parse(c.Key).Value, c => c.Answer), 3, serial);
}
