using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Configuration;

public sealed class CompatConfigurationTests : TempDirectory
{
    private string Absent => Path.Combine(Dir, "absent.json");

    [Fact]
    public void Build_Defaults_CompatOffMetricsOnLoopbackOnly()
    {
        var sut = CollectorConfiguration.BindAndValidate(CollectorConfiguration.Build([$"--Collector:Data={Dir}"], Absent));

        Assert.Equal("", sut.Compat.Tcp);
        Assert.Empty(sut.Compat.Sources);
        Assert.Equal((256, 16, TimeSpan.FromSeconds(5), 512), (sut.Compat.MaxConnections, sut.Compat.MaxLinesPerConnection, sut.Compat.Timeout, sut.Compat.Backlog));
        Assert.True(sut.Metrics.Enabled);
        Assert.False(sut.Metrics.AllowRemote);
    }

    [Fact]
    public void Build_SourcesFromJsonAndCommandLine_MapNamesToAddressLists()
    {
        var file = Path.Combine(Dir, "collector.json");
        File.WriteAllText(file, """{"Collector":{"Data":"DIR","Compat":{"Tcp":"[::]:444","Sources":{"mx3":"192.0.2.10 2001:db8::/64"}}}}""".Replace("DIR", Dir, StringComparison.Ordinal));

        var sut = CollectorConfiguration.BindAndValidate(CollectorConfiguration.Build(["--config", file, "--Collector:Compat:Sources:mx4=198.51.100.0/24"]));

        Assert.Equal("[::]:444", sut.Compat.Tcp);
        Assert.Equal("192.0.2.10 2001:db8::/64", sut.Compat.Sources["mx3"]);
        Assert.Equal("198.51.100.0/24", sut.Compat.Sources["mx4"]);
    }

    [Fact]
    public void Bind_SourcesAsAnArray_IsAnUnknownKey()
    {
        var configuration = CollectorConfiguration.Build([$"--Collector:Data={Dir}", "--Collector:Compat:Sources:mx3:0=192.0.2.1", "--Collector:Metrics:Enable=true"], Absent);

        var ex = Assert.Throws<ConfigurationException>(() => CollectorConfiguration.Bind(configuration));

        Assert.Equal("unknown configuration keys: Collector:Compat:Sources:mx3:0, Collector:Metrics:Enable", ex.Message);
    }

    [Fact]
    public void Collect_EveryBadCompatValue_IsReportedAtOnceWithItsKey()
    {
        var sut = new CollectorOptions
        {
            Compat = new CompatOptions
            {
                Tcp = "2001:db8::1:444",
                Sources = new(StringComparer.OrdinalIgnoreCase) { ["mx3"] = "not-an-address" },
                MaxConnections = 0,
                MaxLinesPerConnection = 0,
                Timeout = TimeSpan.Zero,
                Backlog = 0,
            },
        };

        var errors = CollectorOptionsValidator.Collect(sut);

        Assert.Equal(
        [
            "Collector:Compat:Tcp must be empty (off) or IP:PORT with a literal address ([::]:444 for IPv6), got '2001:db8::1:444'",
            "Collector:Compat:Sources:mx3 has 'not-an-address', which is not an IP address or CIDR network (192.0.2.10, 192.0.2.0/24, 2001:db8::/64)",
            "Collector:Compat:Sources must map at least one reporter name to source addresses when Collector:Compat:Tcp is set (Collector:Compat:Sources:mx3=192.0.2.10)",
            "Collector:Compat:MaxConnections must be between 1 and 100000, got 0",
            "Collector:Compat:MaxLinesPerConnection must be between 1 and 1000, got 0",
            "Collector:Compat:Timeout must be between 00:00:00.100 and 00:05:00, got 00:00:00",
            "Collector:Compat:Backlog must be between 1 and 65535, got 0",
        ], errors);
    }

    [Theory]
    [InlineData("0.0.0.0:444", true)]
    [InlineData("127.0.0.1:0", true)]
    [InlineData("[::]:444", true)]
    [InlineData("[2001:db8::1]:444", true)]
    [InlineData("::1:444", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("collector.example.org:444", false)]
    [InlineData("0.0.0.0:65536", false)]
    [InlineData("0.0.0.0:-1", false)]
    public void TryParseEndPoint_Forms(string text, bool valid) =>
        Assert.Equal(valid, CompatOptionsValidator.TryParseEndPoint(text, out _));

    [Fact]
    public async Task Run_CompatPortTaken_ExitsWithOneLine()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var ex = await Assert.ThrowsAnyAsync<IOException>(() => TestCollector.StartAsync(
            Dir, $"--Collector:Compat:Tcp=127.0.0.1:{port}", "--Collector:Compat:Sources:mx3=127.0.0.1"));

        Assert.Contains($"cannot listen on Collector:Compat:Tcp 127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
    }
}
