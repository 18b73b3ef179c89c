using KarmaKit.Collector.Listing;
using KarmaKit.Collector.State;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Listing;

public class ListingPolicyTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Names = ["", "mx1", "mx2", "mx3", "heavy", "capped"];
    private static readonly string[] Reasons = ["", "virus Eicar-Test-Signature", "spam high score", "auth brute force", "dictionary attack", "odd thing", "white: our customer"];

    internal static ListingPolicy Policy(Action<ListingPolicyOptions>? configure = null)
    {
        var options = new ListingPolicyOptions { ListDocumentationRanges = true };
        configure?.Invoke(options);
        return new ListingPolicy(options, id => Names[id], id => Reasons[id]);
    }

    private static uint Ago(TimeSpan span) => StateTime.FromDateTime(Now - span);

    private static SubjectView Black(string address, params (int Reporter, TimeSpan Ago)[] reporters)
    {
        var view = new SubjectView();
        view.Reset(IpSubject.Parse(address));
        foreach (var (reporter, ago) in reporters)
        {
            view.AddReporter(reporter, Ago(ago));
        }

        view.Set(reporters.Length == 0 ? 0 : reporters.Max(r => Ago(r.Ago)), 1, 0, 0);
        return view;
    }

    [Fact]
    public void EvaluateBlock_OneReporterDefaults_Listed()
    {
        var sut = Policy();

        var decision = sut.EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(1))), Now);

        Assert.Equal(ListingVerdict.Listed, decision.Verdict);
        Assert.Equal(0x7F00_0003u, decision.Answer.Code);
        Assert.Equal("virus Eicar-Test-Signature", decision.Answer.Reason);
        Assert.Equal(Ago(TimeSpan.FromHours(1)) + (uint)TimeSpan.FromHours(48).TotalSeconds, decision.ReviewAt);
    }

    [Fact]
    public void EvaluateBlock_NoReports_NotReported()
    {
        Assert.Equal(ListingVerdict.NotReported, Policy().EvaluateBlock(Black("8.8.4.4"), Now).Verdict);
    }

    [Fact]
    public void EvaluateBlock_BelowThreshold_SaysCountOfThreshold()
    {
        var sut = Policy(o => o.Threshold = 2);

        var decision = sut.EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(1))), Now);

        Assert.Equal(ListingVerdict.BelowThreshold, decision.Verdict);
        Assert.Equal("below threshold: 1/2 weighted reporters in the window", decision.Why());
    }

    [Fact]
    public void EvaluateBlock_TwoReportersThresholdTwo_ListedUntilOlderLeavesWindow()
    {
        var sut = Policy(o => o.Threshold = 2);

        var decision = sut.EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(1)), (2, TimeSpan.FromHours(30))), Now);

        Assert.True(decision.IsListed);
        Assert.Equal(Ago(TimeSpan.FromHours(1)) + (uint)TimeSpan.FromHours(48).TotalSeconds, decision.ReviewAt); // DelistAfter comes first
    }

    [Fact]
    public void EvaluateBlock_ReporterOutsideWindow_NotCounted()
    {
        var sut = Policy(o => { o.Threshold = 2; o.DelistAfter = TimeSpan.FromDays(30); });

        var decision = sut.EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(1)), (2, TimeSpan.FromDays(8))), Now);

        Assert.Equal(ListingVerdict.BelowThreshold, decision.Verdict);
        Assert.Equal(1, decision.Weight);
    }

    [Fact]
    public void EvaluateBlock_ListedByWindow_ReviewWhenCompletingReporterLeaves()
    {
        var sut = Policy(o => { o.Threshold = 2; o.DelistAfter = TimeSpan.FromDays(30); });

        var decision = sut.EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(1)), (2, TimeSpan.FromDays(3))), Now);

        Assert.True(decision.IsListed);
        Assert.Equal(Ago(TimeSpan.FromDays(3)) + (uint)TimeSpan.FromDays(7).TotalSeconds + 1, decision.ReviewAt);
    }

    [Fact]
    public void EvaluateBlock_AfterDelistAfter_Expired()
    {
        var sut = Policy();

        var decision = sut.EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(48))), Now);

        Assert.Equal(ListingVerdict.Expired, decision.Verdict);
        Assert.StartsWith("expired: last black report at 2026-11-25T12:00:00Z", decision.Why());
    }

    [Fact]
    public void EvaluateBlock_JustBeforeDelistAfter_Listed()
    {
        Assert.True(Policy().EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(48) - TimeSpan.FromSeconds(1))), Now).IsListed);
    }

    [Theory]
    [InlineData(4, true)] // heavy: weight 2 alone reaches 2
    [InlineData(1, false)]
    public void EvaluateBlock_Weights_CountTowardsThreshold(int reporter, bool listed)
    {
        var sut = Policy(o => { o.Threshold = 2; o.Reporters["heavy"] = new ReporterPolicyOptions { Weight = 2 }; });

        Assert.Equal(listed, sut.EvaluateBlock(Black("8.8.4.4", (reporter, TimeSpan.FromHours(1))), Now).IsListed);
    }

    [Fact]
    public void EvaluateBlock_ZeroWeightReporter_NeverListsAlone()
    {
        var sut = Policy(o => o.Reporters["mx3"] = new ReporterPolicyOptions { Weight = 0 });

        Assert.Equal(ListingVerdict.BelowThreshold, sut.EvaluateBlock(Black("8.8.4.4", (3, TimeSpan.FromHours(1))), Now).Verdict);
    }

    [Fact]
    public void EvaluateBlock_CappedReporter_NotCountedAndSaid()
    {
        var sut = Policy();
        var view = Black("8.8.4.4", (5, TimeSpan.FromHours(1)));
        view.Reporters[0] = view.Reporters[0] with { Capped = true };

        var decision = sut.EvaluateBlock(view, Now);

        Assert.Equal("below threshold: 0/1 weighted reporters in the window (1 over their daily cap)", decision.Why());
    }

    [Fact]
    public void EvaluateBlock_WhiteReportAfterBlack_WhiteWins()
    {
        var sut = Policy();
        var view = Black("8.8.4.4", (1, TimeSpan.FromHours(1)));
        view.Set(view.LastBlack, 1, Ago(TimeSpan.FromHours(2)), 6);

        var decision = sut.EvaluateBlock(view, Now);

        Assert.Equal(ListingVerdict.WhiteReport, decision.Verdict);
        Assert.Equal(0u, decision.ReviewAt); // the black report expires long before the white one
        Assert.True(sut.EvaluateAllow(view, Now).IsListed);
        Assert.Equal("white: our customer", sut.EvaluateAllow(view, Now).Answer.Reason);
    }

    [Fact]
    public void EvaluateBlock_WhiteReportOutsideWhiteWindow_BlackListed()
    {
        var sut = Policy(o => o.WhiteWindow = TimeSpan.FromDays(1));
        var view = Black("8.8.4.4", (1, TimeSpan.FromHours(1)));
        view.Set(view.LastBlack, 1, Ago(TimeSpan.FromDays(2)), 6);

        Assert.True(sut.EvaluateBlock(view, Now).IsListed);
        Assert.Equal(ListingVerdict.Expired, sut.EvaluateAllow(view, Now).Verdict);
    }

    [Fact]
    public void EvaluateBlock_WhiteEndsBeforeBlack_ReviewAtWhiteEnd()
    {
        var sut = Policy(o => { o.WhiteWindow = TimeSpan.FromHours(2); o.DelistAfter = TimeSpan.FromDays(3); });
        var view = Black("8.8.4.4", (1, TimeSpan.FromHours(1)));
        view.Set(view.LastBlack, 1, Ago(TimeSpan.FromHours(1)), 6);

        var decision = sut.EvaluateBlock(view, Now);

        Assert.Equal(ListingVerdict.WhiteReport, decision.Verdict);
        Assert.Equal(Ago(TimeSpan.FromHours(1)) + 7200u, decision.ReviewAt);
    }

    [Theory]
    [InlineData(1, 0x7F00_0003u)] // virus
    [InlineData(2, 0x7F00_0004u)] // spam
    [InlineData(3, 0x7F00_0005u)] // auth
    [InlineData(4, 0x7F00_0006u)] // dictionary
    [InlineData(5, 0x7F00_0002u)] // odd: generic
    [InlineData(0, 0x7F00_0002u)] // no reason: generic
    public void EvaluateBlock_ReasonClass_DefaultCode(int reason, uint code)
    {
        var view = Black("8.8.4.4", (1, TimeSpan.FromHours(1)));
        view.Set(view.LastBlack, reason, 0, 0);

        Assert.Equal(code, Policy().EvaluateBlock(view, Now).Answer.Code);
    }

    [Fact]
    public void EvaluateBlock_ConfiguredCodes_OverrideDefaultsKeyByKey()
    {
        var sut = Policy(o => { o.Codes["spam"] = "127.0.0.10"; o.Codes["generic"] = "127.0.1.2"; });

        Assert.Equal(0x7F00_000Au, sut.CodeFor("SPAM whatever"));
        Assert.Equal(0x7F00_0102u, sut.CodeFor("odd"));
        Assert.Equal(0x7F00_0003u, sut.CodeFor("virus X"));
    }

    [Fact]
    public void EvaluateBlock_SameReason_SharesAnswerInstance()
    {
        var sut = Policy();

        var a = sut.EvaluateBlock(Black("8.8.4.4", (1, TimeSpan.FromHours(1))), Now).Answer;
        var b = sut.EvaluateBlock(Black("8.8.8.8", (2, TimeSpan.FromHours(1))), Now).Answer;

        Assert.Same(a.Reason, b.Reason);
    }

    [Fact]
    public void EvaluateBlock_MoreDistinctReasonsThanTheCap_LaterOnesAnswerTheirClass()
    {
        var sut = new ListingPolicy(new ListingPolicyOptions(), _ => "mx1", id => $"virus Sig-{id}");
        var view = Black("8.8.4.4", (1, TimeSpan.FromHours(1)));
        for (var id = 1; id <= ListingPolicy.MaxDistinctAnswers; id++)
        {
            view.Set(view.LastBlack, id, 0, 0);
            Assert.Equal($"virus Sig-{id}", sut.EvaluateBlock(view, Now).Answer.Reason);
        }

        view.Set(view.LastBlack, ListingPolicy.MaxDistinctAnswers + 1, 0, 0);
        var answer = sut.EvaluateBlock(view, Now).Answer;

        Assert.Equal((0x7F00_0003u, "virus"), (answer.Code, answer.Reason));
    }

    [Theory]
    [InlineData("2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::")]
    [InlineData("2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6")]
    [InlineData("192.0.2.7", 64, "192.0.2.7")]
    public void KeyOf_Ipv6Prefix_Aggregates(string address, int prefix, string key)
    {
        var sut = Policy(o => o.Ipv6Prefix = prefix);

        Assert.Equal(IpSubject.Parse(key), sut.KeyOf(IpSubject.Parse(address)));
    }
}
