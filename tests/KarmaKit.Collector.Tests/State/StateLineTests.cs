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

    private const string Head = "2026-11-26T17:19:03.004Z mx1 black 192.0.2.1 ";
    private const string Times = "first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:01.000Z";

    /// <summary>The layout the collector writes is read at fixed places; every variation falls back to the general reading.</summary>
    [Theory]
    [InlineData("count=2 " + Times + " batch=b-1 size=7 reason=\"virus x\"", 2, 1, "b-1", 7, "virus x")] // as written
    [InlineData("count=2 " + Times + " batch=b-1 size=7", 2, 1, "b-1", 7, "")]
    [InlineData("count=2 " + Times + " reason=\"\"", 2, 1, "", 0, "")] // compatibility wire, empty reason
    [InlineData("count=2 " + Times, 2, 1, "", 0, "")]
    [InlineData(Times + " count=2 batch=b-1 size=7", 2, 1, "b-1", 7, "")] // another order
    [InlineData("count=2 future=1 " + Times + " size=7 batch=b-1 reason=\"a b\"", 2, 1, "b-1", 7, "a b")] // another field
    [InlineData("count=2 " + Times + " batch=b-1", 2, 1, "b-1", 0, "")] // no size
    [InlineData("count=2 first=2026-11-26T17:18:58.123Z", 2, 0, "", 0, "")] // no last: the receive time
    [InlineData("count=0012 " + Times + " batch=b-1 size=07", 12, 1, "b-1", 7, "")]
    public void TryParse_FieldLayouts_SameFields(string fields, int count, int lastSecond, string batch, int size, string reason)
    {
        Assert.True(StateLine.TryParse(Encoding.UTF8.GetBytes(Head + fields), out var sut));

        Assert.Equal(count, sut.Count);
        Assert.Equal(StateTime.Seconds(new DateTime(2026, 11, 26, 17, 18, 58, DateTimeKind.Utc)), sut.First);
        Assert.Equal(StateTime.Seconds(new DateTime(2026, 11, 26, 17, 19, lastSecond == 0 ? 3 : lastSecond, DateTimeKind.Utc)), sut.Last);
        Assert.Equal(batch, Encoding.ASCII.GetString(sut.Batch));
        Assert.Equal(size, sut.Size);
        Assert.Equal(reason, Encoding.UTF8.GetString(sut.Reason));
    }

    [Theory]
    [InlineData("count=1234567890 " + Times)] // ten digits
    [InlineData("count=1 " + Times + " batch=b size=x")]
    [InlineData("count=1 " + Times + " reason=\"open")]
    [InlineData("count=1 first=2026-11-26T17:18:58.12Z last=2026-11-26T17:19:01.000Z")]
    [InlineData("count=1 " + Times + " =x")]
    public void TryParse_MalformedFields_False(string fields) => Assert.False(StateLine.TryParse(Encoding.UTF8.GetBytes(Head + fields), out _));
}
