using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using Microsoft.Extensions.Configuration;

namespace KarmaKit.Collector.Tests.Dns;

public class DnsOptionsValidatorTests
{
    [Fact]
    public void Collect_Defaults_NoError() => Assert.Empty(CollectorOptionsValidator.Collect(new CollectorOptions()));

    [Fact]
    public void Collect_EveryKeyBad_EachNamedInOneList()
    {
        var sut = new CollectorOptions
        {
            Dns = new DnsOptions
            {
                Listen = "127.0.0.1", Zone = "bad zone", AllowZone = "a..b", Ns = "", Hostmaster = "@",
                Ttl = TimeSpan.FromMilliseconds(1500), NegativeTtl = TimeSpan.FromSeconds(-1), Refresh = TimeSpan.Zero,
                Retry = TimeSpan.Zero, Expire = TimeSpan.Zero, TxtTemplate = "", LookupUrl = new string('u', 1001),
                UdpPayloadSize = 511, UdpReceivers = -1, TcpMaxConnections = 0, TcpIdleTimeout = TimeSpan.Zero,
            },
        };

        var errors = CollectorOptionsValidator.Collect(sut);

        string[] keys =
        [
            "Listen", "Zone", "AllowZone", "Ns", "Hostmaster", "Ttl", "NegativeTtl", "Refresh", "Retry", "Expire", "TxtTemplate",
            "LookupUrl", "UdpPayloadSize", "UdpReceivers", "TcpMaxConnections", "TcpIdleTimeout",
        ];
        Assert.Equal(keys.Length, errors.Count);
        foreach (var key in keys)
        {
            Assert.Contains(errors, e => e.StartsWith($"Collector:Dns:{key} ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("Transfer:Allow", "10.0.0.1/8")]
    [InlineData("Transfer:Allow", "example.org")]
    [InlineData("Transfer:MaxConcurrent", "0")]
    [InlineData("Notify", "127.0.0.1:0")]
    [InlineData("Notify", "ns2.example.org")]
    [InlineData("NotifyInterval", "00:00:00.010")]
    public void BindAndValidate_BadTransferKey_Named(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new($"Collector:Dns:{key}", value)]).Build();

        var sut = Assert.Throws<ConfigurationException>(() => CollectorConfiguration.BindAndValidate(configuration));

        Assert.Contains($"Collector:Dns:{key} must be", sut.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_TransferAndNotifyLists_NoError() => Assert.Empty(CollectorOptionsValidator.Collect(new CollectorOptions
    {
        Dns = new DnsOptions
        {
            Transfer = new Collector.Dns.Transfer.TransferOptions { Allow = "192.0.2.0/24, 2001:db8::/32 127.0.0.1" },
            Notify = "192.0.2.53 [2001:db8::53]:5300, 127.0.0.1:5301",
        },
    }));

    [Fact]
    public void Collect_SameZoneTwice_AllowZoneNamed()
    {
        var errors = CollectorOptionsValidator.Collect(new CollectorOptions { Dns = new DnsOptions { AllowZone = "BL.karmakit.test." } });

        Assert.Equal("Collector:Dns:AllowZone must differ from Collector:Dns:Zone", Assert.Single(errors));
    }

    [Theory]
    [InlineData("127.0.0.1:5353", true)]
    [InlineData("0.0.0.0:53", true)]
    [InlineData("[::1]:5353", true)]
    [InlineData("[::]:53", true)]
    [InlineData("127.0.0.1:0", true)]
    [InlineData("::1", false)]
    [InlineData("::1:53", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("localhost:53", false)]
    [InlineData("127.0.0.1:65536", false)]
    public void TryParseListen_Forms_OnlyLiteralWithPort(string text, bool valid) =>
        Assert.Equal(valid, DnsOptionsValidator.TryParseListen(text, out _));

    [Fact]
    public void BindAndValidate_DnsKeysFromTheCommandLine_Bound()
    {
        var configuration = CollectorConfiguration.Build(
            ["--Collector:Dns:Listen=", "--Collector:Dns:Ns=a.example,b.example", "--Collector:Dns:Ttl=00:10:00"], "/nonexistent/collector.json");

        var sut = CollectorConfiguration.BindAndValidate(configuration).Dns;

        Assert.Equal(("", "a.example,b.example", TimeSpan.FromMinutes(10)), (sut.Listen, sut.Ns, sut.Ttl));
    }

    [Fact]
    public void BindAndValidate_UnknownDnsKey_Named()
    {
        var configuration = CollectorConfiguration.Build(["--Collector:Dns:Zones=x"], "/nonexistent/collector.json");

        var error = Assert.Throws<ConfigurationException>(() => CollectorConfiguration.BindAndValidate(configuration));

        Assert.Contains("Collector:Dns:Zones", error.Message, StringComparison.Ordinal);
    }
}
