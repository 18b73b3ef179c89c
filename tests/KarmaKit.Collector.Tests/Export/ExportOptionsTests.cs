using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Export;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Export;

public sealed class ExportOptionsTests : TempDirectory
{
    private string Absent => Path.Combine(Dir, "absent.json");

    [Fact]
    public void Build_Defaults_OnEveryTenSecondsUnderData()
    {
        var sut = CollectorConfiguration.BindAndValidate(CollectorConfiguration.Build([$"--Collector:Data={Dir}"], Absent));

        Assert.Equal((true, TimeSpan.FromSeconds(10)), (sut.Export.Enabled, sut.Export.Interval));
        Assert.Equal(Path.Combine(Dir, "zones"), ExportOptions.ResolveDirectory(sut));
    }

    [Fact]
    public void Build_OwnDirectory_Resolved()
    {
        var sut = CollectorConfiguration.BindAndValidate(CollectorConfiguration.Build([$"--Collector:Data={Dir}", "--Collector:Export:Directory=/srv/zones"], Absent));

        Assert.Equal("/srv/zones", ExportOptions.ResolveDirectory(sut));
    }

    [Theory]
    [InlineData("00:00:00.500", "Collector:Export:Interval must be between 00:00:01 and 1.00:00:00, got 00:00:00.5000000")]
    [InlineData("2.00:00:00", "Collector:Export:Interval must be between 00:00:01 and 1.00:00:00, got 2.00:00:00")]
    public void BindAndValidate_IntervalOutOfRange_NamesTheKey(string interval, string expected)
    {
        var configuration = CollectorConfiguration.Build([$"--Collector:Data={Dir}", $"--Collector:Export:Interval={interval}"], Absent);

        var sut = Assert.Throws<ConfigurationException>(() => CollectorConfiguration.BindAndValidate(configuration));

        Assert.Equal($"invalid configuration: {expected}", sut.Message);
    }

    [Fact]
    public void Bind_Typo_IsAnUnknownKey()
    {
        var configuration = CollectorConfiguration.Build([$"--Collector:Data={Dir}", "--Collector:Export:Intervall=00:00:05"], Absent);

        var sut = Assert.Throws<ConfigurationException>(() => CollectorConfiguration.Bind(configuration));

        Assert.Equal("unknown configuration keys: Collector:Export:Intervall", sut.Message);
    }
}
