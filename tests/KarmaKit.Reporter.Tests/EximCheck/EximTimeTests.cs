using KarmaKit.Reporter.EximCheck;

namespace KarmaKit.Reporter.Tests.EximCheck;

/// <summary>Exim's readconf_readtime as readsocket uses it (research/exim-readsocket.md §2: 500ms, 1.5s, 0s and 2S wait for ever; so does a bare 1).</summary>
public sealed class EximTimeTests
{
    [Theory]
    [InlineData("1s", 1L)]
    [InlineData("5s", 5L)]
    [InlineData("1m", 60L)]
    [InlineData("1m30s", 90L)]
    [InlineData("2h", 7200L)]
    [InlineData("1d", 86400L)]
    [InlineData("1w", 604800L)]
    [InlineData("1h1m1s", 3661L)]
    [InlineData("0m2s", 2L)] // verified: 2 s against a silent listener
    public void Seconds_WholeUnits_Total(string value, long expected) => Assert.Equal(expected, EximTime.Seconds(value));

    [Theory]
    [InlineData("500ms")]
    [InlineData("1.5s")]
    [InlineData("0s")]
    [InlineData("0")]
    [InlineData("1")] // bug fix: a bare number was taken as seconds, but Exim waits for ever with {1}
    [InlineData("1m30")]
    [InlineData("2S")]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("1x")]
    [InlineData(" 1s")]
    [InlineData("-1s")]
    [InlineData("99999999999999999999s")]
    public void Seconds_NotATimeExim_Null(string value) => Assert.Null(EximTime.Seconds(value));
}
