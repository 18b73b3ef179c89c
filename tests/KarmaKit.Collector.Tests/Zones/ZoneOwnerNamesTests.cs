using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Zones;

public class ZoneOwnerNamesTests
{
    [Theory]
    [InlineData("192.0.2.1", 32, "1.2.0.192")]
    [InlineData("192.0.2.0", 24, "*.2.0.192")]
    [InlineData("10.0.0.0", 8, "*.10")]
    [InlineData("192.0.2.0", 23, "*.2.0.192 *.3.0.192")]
    [InlineData("198.51.100.128", 30, "128.100.51.198 129.100.51.198 130.100.51.198 131.100.51.198")]
    [InlineData("2001:db8::1", 128, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2")]
    [InlineData("2001:db8:1:2::", 64, "*.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2")]
    [InlineData("2001:db8::", 31, "*.8.b.d.0.1.0.0.2 *.9.b.d.0.1.0.0.2")]
    public void Append_Network_RfcNames(string network, int prefix, string expected)
    {
        var names = ZoneOwnerNames.Of(new ZoneEntry(IpSubject.Parse(network), prefix, ListingAnswer.Listed));

        Assert.Equal(expected.Split(' '), names);
    }

    [Fact]
    public void Append_TestEntry_BothFamilies()
    {
        var names = ZoneOwnerNames.Of(new ZoneEntry(Rfc5782TestEntries.Listed, 32, ListingAnswer.TestEntry));

        Assert.Equal(["2.0.0.127", "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"], names);
    }

    [Fact]
    public void Capture_Index_TestEntryFirstThenKeysWithPrefix()
    {
        var spam = new ListingAnswer(0x7F00_0004, "spam");
        var index = new ListingIndex(
            ListingSet.Build([new(IpSubject.Parse("192.0.2.9"), spam), new(IpSubject.Parse("2001:db8:1:2::"), spam)]),
            [],
            new() { [IpSubject.Parse("192.0.2.7").Value] = spam },
            3,
            42);

        var zone = ZoneSnapshot.Capture(index, DnsList.Block, 64);

        Assert.Equal(42u, zone.Serial);
        Assert.Equal(
            [
                new ZoneEntry(Rfc5782TestEntries.Listed, 32, ListingAnswer.TestEntry),
                new ZoneEntry(IpSubject.Parse("192.0.2.9"), 32, spam),
                new ZoneEntry(IpSubject.Parse("2001:db8:1:2::"), 64, spam),
                new ZoneEntry(IpSubject.Parse("192.0.2.7"), 32, spam),
            ],
            zone.Entries);
    }
}
