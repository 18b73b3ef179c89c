using System.Net;
using KarmaKit.Collector.Compat;

namespace KarmaKit.Collector.Tests.Compat;

public sealed class SourceMapTests
{
    private static SourceMap Parse(params (string Reporter, string Sources)[] entries)
    {
        var errors = new List<string>();
        var map = SourceMap.Parse(entries.ToDictionary(e => e.Reporter, e => e.Sources), errors);
        Assert.Empty(errors);
        return map;
    }

    [Theory]
    [InlineData("192.0.2.10", "mx-a")]
    [InlineData("192.0.2.11", "mx-b")]
    [InlineData("192.0.2.200", "mx-b")]
    [InlineData("198.51.100.1", null)]
    [InlineData("::ffff:192.0.2.10", "mx-a")]
    [InlineData("2001:db8::42", "mx-c")]
    [InlineData("2001:db8:0:1::1", null)]
    [InlineData("10.1.2.3", "mx-c")]
    public void Find_MostSpecificNetworkWins(string source, string? expected)
    {
        var sut = Parse(("mx-a", "192.0.2.10"), ("mx-b", "192.0.2.0/24"), ("mx-c", "2001:db8::/64, 10.0.0.0/8"));

        Assert.Equal(expected, sut.Find(IPAddress.Parse(source)));
    }

    [Fact]
    public void Find_ZeroLengthNetwork_MatchesEverything()
    {
        var sut = Parse(("anyone", "0.0.0.0/0 ::/0"));

        Assert.Equal("anyone", sut.Find(IPAddress.Parse("203.0.113.9")));
        Assert.Equal("anyone", sut.Find(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void Parse_BadEntries_EveryErrorNamesItsKey()
    {
        var errors = new List<string>();
        var sources = new Dictionary<string, string>
        {
            ["mx 1"] = "192.0.2.1",
            ["mx2"] = "192.0.2.300, 192.0.2.0/33 fe80::1%eth0",
            ["mx3"] = " ",
            ["mx4"] = "192.0.2.7",
            ["mx5"] = "192.0.2.7/32",
        };

        var sut = SourceMap.Parse(sources, errors);

        Assert.Equal(
        [
            "Collector:Compat:Sources:mx 1 is not a valid reporter name (1 to 253 letters, digits, '.', '-', '_')",
            "Collector:Compat:Sources:mx2 has '192.0.2.300', which is not an IP address or CIDR network (192.0.2.10, 192.0.2.0/24, 2001:db8::/64)",
            "Collector:Compat:Sources:mx2 has '192.0.2.0/33', which is not an IP address or CIDR network (192.0.2.10, 192.0.2.0/24, 2001:db8::/64)",
            "Collector:Compat:Sources:mx2 has 'fe80::1%eth0', which is not an IP address or CIDR network (192.0.2.10, 192.0.2.0/24, 2001:db8::/64)",
            "Collector:Compat:Sources:mx3 must list at least one address or CIDR network",
            "Collector:Compat:Sources:mx5 has '192.0.2.7/32', which Collector:Compat:Sources:mx4 has too",
        ], errors);
        Assert.Equal(1, sut.Count);
    }

    [Theory]
    [InlineData("192.0.2.77/24", "192.0.2.1", true)]
    [InlineData("192.0.2.77/24", "192.0.3.1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true)]
    public void TryParseNetwork_HostBitsIgnoredAndIPv4Mapped(string network, string address, bool matches)
    {
        var sut = Parse(("r", network));

        Assert.Equal(matches, sut.Find(IPAddress.Parse(address)) is not null);
    }
}
