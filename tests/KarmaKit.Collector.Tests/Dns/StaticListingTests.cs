using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Dns;

public class StaticListingTests
{
    [Fact]
    public void TryGet_TestEntries_OnlyTheListedOne()
    {
        var sut = StaticListing.WithTestEntries();

        Assert.True(sut.TryGet(DnsList.Block, IpSubject.Parse("127.0.0.2"), out var answer));
        Assert.True(sut.TryGet(DnsList.Allow, IpSubject.Parse("::ffff:7f00:2"), out _));
        Assert.False(sut.TryGet(DnsList.Block, IpSubject.Parse("127.0.0.1"), out _));
        Assert.Equal(ListingAnswer.TestEntry, answer);
    }

    [Fact]
    public void Build_DuplicateSubject_LastAnswerWins()
    {
        var subject = IpSubject.Parse("2001:db8::1");
        var sut = new StaticListing([new(subject, ListingAnswer.Listed), new(subject, ListingAnswer.FromLastOctet(4, "spam"))], []);

        Assert.True(sut.TryGet(DnsList.Block, subject, out var answer));
        Assert.Equal((1, "spam", 0x7F000004u), (sut.Count(DnsList.Block), answer.Reason, answer.Code));
    }

    [Fact]
    public void Replace_WhileReadersRun_EachReadSeesOneWholeVersion()
    {
        // Version k lists exactly 10.0.k.0–255. Readers never block or see a half-built set: every hit carries a
        // whole answer, and at the end exactly the last version is visible.
        static IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> Version(int k) =>
            Enumerable.Range(0, 256).Select(i => new KeyValuePair<IpSubject, ListingAnswer>(IpSubject.FromIPv4((uint)(0x0A00_0000 | (k << 8) | i)), ListingAnswer.Listed));

        var sut = new StaticListing(Version(0), []);
        var serial = sut.Serial(DnsList.Block);
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(reader => Task.Run(() =>
        {
            var checks = 0;
            while (!done.IsCancellationRequested || checks == 0)
            {
                for (var k = 0; k < 20; k++)
                {
                    if (sut.TryGet(DnsList.Block, IpSubject.FromIPv4((uint)(0x0A00_0000 | (k << 8) | reader)), out var answer))
                    {
                        Assert.Equal(ListingAnswer.Listed, answer);
                        checks++;
                    }
                }
            }

            return checks;
        })).ToArray();

        for (var k = 1; k < 20; k++)
        {
            sut.Replace(DnsList.Block, Version(k));
        }

        done.Cancel();
        Assert.All(readers, r => Assert.True(r.Result > 0));
        Assert.Equal(serial + 19, sut.Serial(DnsList.Block));
        Assert.Equal(256, sut.Count(DnsList.Block));
        Assert.True(sut.TryGet(DnsList.Block, IpSubject.Parse("10.0.19.255"), out _));
        Assert.False(sut.TryGet(DnsList.Block, IpSubject.Parse("10.0.18.255"), out _));
    }
}
