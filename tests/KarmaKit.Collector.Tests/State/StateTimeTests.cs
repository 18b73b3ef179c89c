using System.Text;
using KarmaKit.Collector.State;

namespace KarmaKit.Collector.Tests.State;

public sealed class StateTimeTests
{
    [Theory]
    [InlineData("1970-01-01T00:00:00.000Z")]
    [InlineData("2024-02-29T23:59:59.999Z")]
    [InlineData("2026-11-26T17:19:03.004Z")]
    [InlineData("2100-03-01T00:00:01.000Z")]
    public void TryParse_Time_SameSecondsAsDateTime(string text)
    {
        var expected = StateTime.Seconds(DateTime.Parse(text, null, System.Globalization.DateTimeStyles.AdjustToUniversal));

        Assert.True(StateTime.TryParse(Encoding.ASCII.GetBytes(text), out var seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("2026-11-26T17:19:03.004")]
    [InlineData("2026-02-30T00:00:00.000Z")]
    [InlineData("2026-11-26T24:00:00.000Z")]
    [InlineData("2026-11-26 17:19:03.004Z")]
    [InlineData("2026-1a-26T17:19:03.004Z")]
    public void TryParse_Malformed_False(string text) => Assert.False(StateTime.TryParse(Encoding.ASCII.GetBytes(text), out _));
}
