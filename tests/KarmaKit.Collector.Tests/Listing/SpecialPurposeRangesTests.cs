using KarmaKit.Collector.Listing;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Listing;

public class SpecialPurposeRangesTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>First and last address of every range, and the one after it where that is global.</summary>
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("100.64.0.0")]
    [InlineData("100.127.255.255")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.1.1")]
    [InlineData("172.16.0.0")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.0.255")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.0")]
    [InlineData("198.19.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("100::1")]
    [InlineData("2001::1")] // Teredo
    [InlineData("2001:1::1")] // a /128 anycast exception, but its /64 (the key by default) is not global
    [InlineData("2001:2::1")] // benchmarking
    [InlineData("2001:10::1")] // ORCHID (deprecated)
    [InlineData("2001:1ff:ffff::1")]
    [InlineData("2002:808:808::1")]
    [InlineData("fc00::1")]
    [InlineData("fdff:ffff::1")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("ff02::1")]
    public void EvaluateBlock_SpecialPurpose_NeverListed(string address)
    {
        var sut = ListingPolicyTests.Policy();

        var decision = sut.EvaluateBlock(Reported(sut, address), Now);

        Assert.Equal(ListingVerdict.SpecialPurpose, decision.Verdict);
        Assert.StartsWith("special-purpose range, never listed: ", decision.Why());
        Assert.Equal(ListingVerdict.SpecialPurpose, sut.EvaluateAllow(Reported(sut, address), Now).Verdict);
    }

    [Theory]
    [InlineData("1.0.0.1")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.0.0.9")] // PCP anycast: globally reachable
    [InlineData("192.0.0.10")] // TURN anycast
    [InlineData("192.0.1.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("127.0.0.2")] // the RFC 5782 test entry
    [InlineData("2001:3::1")] // AMT
    [InlineData("2001:4:112::1")] // AS112-v6
    [InlineData("2001:20::1")] // ORCHIDv2
    [InlineData("2001:30::1")] // drone remote ID
    [InlineData("2001:200::1")] // just past 2001::/23
    [InlineData("2a00:1450::1")]
    [InlineData("64:ff9b:0:1::1")]
    public void EvaluateBlock_Global_Listed(string address)
    {
        var sut = ListingPolicyTests.Policy();

        Assert.True(sut.EvaluateBlock(Reported(sut, address), Now).IsListed, address);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("198.51.100.255")]
    [InlineData("203.0.113.7")]
    [InlineData("2001:db8::1")]
    [InlineData("3fff::1")]
    public void EvaluateBlock_DocumentationRange_ListedOnlyWithTheSwitch(string address)
    {
        var on = ListingPolicyTests.Policy(o => o.ListDocumentationRanges = true);
        var off = ListingPolicyTests.Policy(o => o.ListDocumentationRanges = false);

        Assert.True(on.EvaluateBlock(Reported(on, address), Now).IsListed);
        Assert.Equal(ListingVerdict.SpecialPurpose, off.EvaluateBlock(Reported(off, address), Now).Verdict);
    }

    [Fact]
    public void EvaluateBlock_AnycastExceptionWithPrefix128_Listed()
    {
        var sut = ListingPolicyTests.Policy(o => o.Ipv6Prefix = 128);

        Assert.True(sut.EvaluateBlock(Reported(sut, "2001:1::1"), Now).IsListed);
        Assert.Equal(ListingVerdict.SpecialPurpose, sut.EvaluateBlock(Reported(sut, "2001:1::4"), Now).Verdict);
    }

    private static SubjectView Reported(ListingPolicy policy, string address)
    {
        var view = new SubjectView();
        view.Reset(policy.KeyOf(IpSubject.Parse(address)));
        var seen = Collector.State.StateTime.FromDateTime(Now.AddHours(-1));
        view.AddReporter(1, seen);
        view.Set(seen, 1, 0, 0);
        return view;
    }
}
