using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Operator;
using KarmaKit.Collector.State;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Listing;

/// <summary>The policy with the operator's entries, found for a key through <see cref="OperatorIndex"/> as the engine does.</summary>
public class OperatorPolicyTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    private readonly ListingPolicy _policy = ListingPolicyTests.Policy();
    private readonly OperatorIndex _index = new(64);

    [Fact]
    public void EvaluateBlock_AllowCidrOverBlackReport_NotListedWithTheEntry()
    {
        Allow("192.0.2.0/24", TimeSpan.FromDays(1), "customer relay");

        var decision = _policy.EvaluateBlock(View("192.0.2.77", TimeSpan.FromMinutes(5)), Now);

        Assert.Equal(ListingVerdict.OperatorAllow, decision.Verdict);
        Assert.Equal("allowed by operator: 192.0.2.0/24 until 2026-11-28T11:00:00Z (customer relay)", decision.Why());
        Assert.Equal(StateTime.FromDateTime(Now.AddHours(23)), decision.ReviewAt); // relisted then if still fresh
    }

    [Fact]
    public void EvaluateBlock_AllowExpired_ListedAgainWhileReportsFresh()
    {
        Allow("192.0.2.0/24", TimeSpan.FromDays(1), "customer relay");

        var decision = _policy.EvaluateBlock(View("192.0.2.77", TimeSpan.FromMinutes(5), now: Now.AddDays(1)), Now.AddDays(1));

        Assert.Equal(ListingVerdict.Listed, decision.Verdict);
    }

    [Fact]
    public void EvaluateBlock_AllowOtherNetwork_Listed()
    {
        Allow("192.0.3.0/24", null, "elsewhere");

        Assert.Equal(ListingVerdict.Listed, _policy.EvaluateBlock(View("192.0.2.77", TimeSpan.FromMinutes(5)), Now).Verdict);
    }

    [Fact]
    public void EvaluateAllow_SingleAddressAllow_OnTheAllowlist_CidrNot()
    {
        Allow("192.0.2.5", null, "partner mx");
        Allow("198.51.100.0/24", null, "partner range");

        var single = _policy.EvaluateAllow(View("192.0.2.5", null), Now);
        var inRange = _policy.EvaluateAllow(View("198.51.100.9", null), Now);

        Assert.True(single.IsListed);
        Assert.Equal("partner mx", single.Answer.Reason);
        Assert.Equal(0x7F00_0002u, single.Answer.Code);
        Assert.False(inRange.IsListed);
        Assert.Equal(ListingVerdict.OperatorAllow, _policy.EvaluateBlock(View("198.51.100.9", TimeSpan.FromMinutes(1)), Now).Verdict);
    }

    [Fact]
    public void EvaluateBlock_Ipv6AllowOneAddressInAListedSlash64_WholeKeyOff()
    {
        Allow("2001:db8:1:2::25", null, "our relay");

        var decision = _policy.EvaluateBlock(View("2001:db8:1:2::", TimeSpan.FromMinutes(5)), Now);

        Assert.Equal(ListingVerdict.OperatorAllow, decision.Verdict); // the /64 key cannot hold a hole
        Assert.Equal(ListingVerdict.Listed, _policy.EvaluateBlock(View("2001:db8:1:3::", TimeSpan.FromMinutes(5)), Now).Verdict);
    }

    [Fact]
    public void EvaluateBlock_Ipv6AllowSlash48_CoversItsSlash64Keys()
    {
        Allow("2001:db8:1::/48", null, "partner network");

        Assert.Equal(ListingVerdict.OperatorAllow, _policy.EvaluateBlock(View("2001:db8:1:ff::", TimeSpan.FromMinutes(5)), Now).Verdict);
        Assert.Equal(ListingVerdict.Listed, _policy.EvaluateBlock(View("2001:db8:2::", TimeSpan.FromMinutes(5)), Now).Verdict);
        Assert.False(_policy.EvaluateAllow(View("2001:db8:1:ff::", null), Now).IsListed); // wider than a key: not published
    }

    [Fact]
    public void EvaluateBlock_Delisted_EarlierSightingsNoLongerCount()
    {
        Delist("192.0.2.9", Now.AddMinutes(-1), null);

        var decision = _policy.EvaluateBlock(View("192.0.2.9", TimeSpan.FromMinutes(5)), Now);

        Assert.Equal(ListingVerdict.Delisted, decision.Verdict);
        Assert.Equal("delisted by operator at 2026-11-27T11:59:00Z (false positive): no black report since", decision.Why());
    }

    [Fact]
    public void EvaluateBlock_DelistedThenNewReport_Listed()
    {
        Delist("192.0.2.9", Now.AddMinutes(-10), null);

        Assert.Equal(ListingVerdict.Listed, _policy.EvaluateBlock(View("192.0.2.9", TimeSpan.FromMinutes(5)), Now).Verdict);
    }

    [Fact]
    public void EvaluateBlock_DelistedThenNewReportOfAnotherReporterOnly_CountsOnlyThatOne()
    {
        var sut = ListingPolicyTests.Policy(o => o.Threshold = 2);
        Delist("192.0.2.9", Now.AddMinutes(-10), null);
        var view = View("192.0.2.9", TimeSpan.FromMinutes(5));
        view.AddReporter(2, StateTime.FromDateTime(Now.AddMinutes(-20))); // before the delist

        var decision = sut.EvaluateBlock(view, Now);

        Assert.Equal(ListingVerdict.BelowThreshold, decision.Verdict);
        Assert.Equal(1, decision.Weight);
    }

    [Fact]
    public void EvaluateBlock_DelistHold_NewReportsDoNotListUntilItEnds()
    {
        Delist("192.0.2.9", Now.AddMinutes(-10), TimeSpan.FromHours(1));

        var during = _policy.EvaluateBlock(View("192.0.2.9", TimeSpan.FromMinutes(1)), Now);
        var after = _policy.EvaluateBlock(View("192.0.2.9", TimeSpan.FromMinutes(1), now: Now.AddMinutes(51)), Now.AddMinutes(51));

        Assert.Equal(ListingVerdict.Delisted, during.Verdict);
        Assert.Equal(StateTime.FromDateTime(Now.AddMinutes(50)), during.ReviewAt);
        Assert.Equal(ListingVerdict.Listed, after.Verdict);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DelistFor_TwoDelistsInOneSlash64AtOneTime_TheLongerHoldStandsInEitherOrder(bool reversed)
    {
        var at = Now.AddMinutes(-10);
        var (noHold, hold) = ("2001:db8:1:2::25", "2001:db8:1:2::26");
        foreach (var address in reversed ? new[] { hold, noHold } : [noHold, hold])
        {
            Delist(address, at, address == hold ? TimeSpan.FromHours(1) : null);
        }

        var decision = _policy.EvaluateBlock(View("2001:db8:1:2::", TimeSpan.FromMinutes(1)), Now);

        Assert.Equal(Net(hold), _index.DelistFor(Net(hold).Prefix & Prefix.Mask(64))!.Network);
        Assert.Equal(ListingVerdict.Delisted, decision.Verdict);
    }

    private void Allow(string network, TimeSpan? span, string reason) =>
        _index.Apply(new OperatorAction(Now.AddHours(-1), "alice", OperatorVerb.Allow, Net(network), span is { } s ? Now.AddHours(-1) + s : null, reason));

    private void Delist(string address, DateTime at, TimeSpan? hold) =>
        _index.Apply(new OperatorAction(at, "alice", OperatorVerb.Delist, Net(address), hold is { } h ? at + h : null, "false positive"));

    /// <summary>A key's view with one black reporter seen <paramref name="ago"/> before <paramref name="now"/> (none: no report), and its operator entries.</summary>
    private SubjectView View(string key, TimeSpan? ago, DateTime? now = null)
    {
        var at = now ?? Now;
        var view = new SubjectView();
        view.Reset(IpSubject.Parse(key));
        if (ago is { } span)
        {
            var seen = StateTime.FromDateTime(at - span);
            view.AddReporter(1, seen);
            view.Set(seen, 1, 0, 0);
        }

        view.Allow = _index.AllowFor(view.Key.Value, at);
        view.Delist = _index.DelistFor(view.Key.Value);
        return view;
    }

    private static IpNetwork Net(string text) => IpNetwork.TryParse(text.AsSpan(), out var n) ? n : throw new FormatException(text);
}
