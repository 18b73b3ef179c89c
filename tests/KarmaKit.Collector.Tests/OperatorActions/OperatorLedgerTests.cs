using KarmaKit.Collector.Operator;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.OperatorActions;

public class OperatorLedgerTests
{
    private static readonly DateTime At = new(2026, 11, 27, 6, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Apply_AllowThenUnallowOfTheSameNetwork_Gone_OtherNetworkKept()
    {
        var sut = new OperatorLedger();
        sut.Apply(Action(OperatorVerb.Allow, "192.0.2.0/24"));
        sut.Apply(Action(OperatorVerb.Allow, "192.0.2.5"));

        sut.Apply(Action(OperatorVerb.Unallow, "192.0.2.0/24"));

        Assert.Equal("192.0.2.5", Assert.Single(sut.Entries).Network.ToString());
    }

    [Fact]
    public void Prune_EndedAllowAndOldDelist_Dropped_OthersKept()
    {
        var sut = new OperatorLedger();
        sut.Apply(Action(OperatorVerb.Allow, "192.0.2.0/24", until: At.AddHours(1)));
        sut.Apply(Action(OperatorVerb.Allow, "198.51.100.0/24"));
        sut.Apply(Action(OperatorVerb.Delist, "203.0.113.1"));
        sut.Apply(Action(OperatorVerb.Delist, "203.0.113.2", until: At.AddDays(30)));

        sut.Prune(At.AddDays(8), relevance: TimeSpan.FromDays(7));

        Assert.Equal(["198.51.100.0/24", "203.0.113.2"], sut.Entries.Select(e => e.Network.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_LinesOfAnotherLedger_SameEntries()
    {
        var source = new OperatorLedger();
        source.Apply(Action(OperatorVerb.Allow, "2001:db8::/48", until: At.AddDays(1)));
        source.Apply(Action(OperatorVerb.Delist, "2001:db8::1"));
        var sut = new OperatorLedger();

        Assert.True(sut.Load(source.Lines()));
        Assert.Equal(source.Entries, sut.Entries);
        Assert.False(sut.Load(["not an operator line"]));
    }

    private static OperatorAction Action(OperatorVerb verb, string network, DateTime? until = null) =>
        new(At, "alice", verb, IpNetwork.TryParse(network.AsSpan(), out var n) ? n : IpNetwork.Single(IpSubject.Parse(network)), until, verb == OperatorVerb.Allow ? "reason" : null);
}
