using System.Text;
using KarmaKit.Collector.State;
using KarmaKit.Protocol;

namespace KarmaKit.Collector.Tests.State;

public sealed class StateLineTests
{
    [Fact]
    public void TryParse_FormattedLine_ReadsEveryField()
    {
        var line = StateLog.Line(5, "mx1.example.org", Verb.Black, "2001:db8::1", count: 3, reason: "spam \"x\"\n", sightingMinute: 4);

        Assert.True(StateLine.TryParse(Encoding.UTF8.GetBytes(line.TrimEnd('\n')), out var sut));

        Assert.Equal(StateTime.Seconds(StateLog.T0.AddMinutes(5)), sut.Received);
        Assert.Equal("mx1.example.org", Encoding.ASCII.GetString(sut.Reporter));
        Assert.Equal(Verb.Black, sut.Verb);
        Assert.Equal("2001:db8::1", sut.Subject.ToString());
        Assert.Equal(3, sut.Count);
        Assert.Equal(StateTime.Seconds(StateLog.T0.AddMinutes(4)), sut.Last);
        Assert.Equal(sut.Last - 30, sut.First);
        Assert.True(sut.ReasonEscaped);
        var unescaped = new byte[100];
        var n = StateReplayer.Unescape(sut.Reason, unescaped);
        Assert.Equal("spam \"x\"\n", Encoding.UTF8.GetString(unescaped, 0, n));
    }

    [Fact]
    public void TryParse_LineWithoutSightings_TakesReceiveTime()
    {
        var line = "2026-11-26T17:19:03.004Z mx1 white 192.0.2.1 count=1 future=x"u8;

        Assert.True(StateLine.TryParse(line, out var sut));

        Assert.Equal(sut.Received, sut.Last);
        Assert.Equal(sut.Received, sut.First);
        Assert.True(sut.Reason.IsEmpty);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-11-26T17:19:03.004Z mx1 grey 192.0.2.1 count=1")]
    [InlineData("2026-11-26T17:19:03.004Z mx1 black 192.0.2.256 count=1")]
    [InlineData("2026-11-26T17:19:03.004Z mx1 black 192.0.2.1 count=0")]
    [InlineData("2026-11-26T17:19:03.004Z mx1 black 192.0.2.1 first=2026-11-26T17:19:03.004Z")]
    [InlineData("2026-11-26T17:19:03.004Z mx1 black 192.0.2.1 count=1 reason=\"open")]
    [InlineData("2026-11-26T17:19:03.004Z  black 192.0.2.1 count=1")]
    [InlineData("garbage")]
    public void TryParse_NotAReportLine_False(string line) => Assert.False(StateLine.TryParse(Encoding.UTF8.GetBytes(line), out _));
}
