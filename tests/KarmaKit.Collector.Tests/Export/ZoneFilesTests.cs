using System.Text;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Export;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Export;

/// <summary>The three files of a small zone, byte for byte: the test entry, IPv4, an aggregated IPv6 /64, TXT escaping.</summary>
public class ZoneFilesTests
{
    private static readonly ExportZone Bl = new(DnsList.Block, "bl.example.org");

    private static readonly ZoneExportSettings Settings = ZoneExportSettings.Create(new DnsOptions
    {
        Zone = "bl.example.org",
        Ns = "ns1.example.org, ns2.example.net",
        Hostmaster = "dns.admin@example.org",
        LookupUrl = "https://bl.example.org/{address}",
    });

    [Fact]
    public void WriteIp4Set_SmallZone_Fixture()
    {
        var sut = Render(w => RbldnsdFiles.WriteIp4Set(Zone(), Bl, Settings, w));

        Assert.Equal(
            """
            # bl.example.org (blocklist): rbldnsd ip4set dataset written by karmakit-collector; serial 2026112701
            $TTL 300
            $SOA 300 ns1.example.org dns\.admin.example.org 2026112701 3600 600 604800 60
            $NS 300 ns1.example.org ns2.example.net
            $= $= - see https://bl.example.org/$
            !127.0.0.1
            192.0.2.9 :127.0.0.2:=#2 tricky  - see https://bl.example.org/192.0.2.9
            :127.0.0.2:RFC 5782 test entry
            127.0.0.2
            :127.0.0.3:virus "Eicar" costs $5 \ café
            192.0.2.7
            198.51.100.1

            """.ReplaceLineEndings("\n"),
            sut);
    }

    [Fact]
    public void WriteIp6Trie_SmallZone_Fixture()
    {
        var sut = Render(w => RbldnsdFiles.WriteIp6Trie(Zone(), Bl, Settings, w));

        Assert.Equal(
            """
            # bl.example.org (blocklist): rbldnsd ip6trie dataset written by karmakit-collector; serial 2026112701
            $TTL 300
            $SOA 300 ns1.example.org dns\.admin.example.org 2026112701 3600 600 604800 60
            $NS 300 ns1.example.org ns2.example.net
            !::ffff:7f00:1
            ::ffff:7f00:2 :127.0.0.2:=RFC 5782 test entry - see https://bl.example.org/127.0.0.2
            2001:db8:1:2::/64 :127.0.0.4:=#1 =spam - see https://bl.example.org/2001:db8:1:2::

            """.ReplaceLineEndings("\n"),
            sut);
    }

    [Fact]
    public void WriteMaster_SmallZone_Fixture()
    {
        var sut = Render(w => BindZoneFile.Write(Zone(), Bl, Settings, w));

        Assert.Equal(
            """
            ; bl.example.org (blocklist): master file written by karmakit-collector; serial 2026112701
            $ORIGIN bl.example.org.
            $TTL 300
            @ IN SOA ns1.example.org. dns\.admin.example.org. 2026112701 3600 600 604800 60
            @ IN NS ns1.example.org.
            @ IN NS ns2.example.net.
            2.0.0.127 IN A 127.0.0.2
            2.0.0.127 IN TXT "RFC 5782 test entry - see https://bl.example.org/127.0.0.2"
            2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN A 127.0.0.2
            2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN TXT "RFC 5782 test entry - see https://bl.example.org/127.0.0.2"
            7.2.0.192 IN A 127.0.0.3
            7.2.0.192 IN TXT "virus \"Eicar\" costs $5 \\ caf\195\169 - see https://bl.example.org/192.0.2.7"
            9.2.0.192 IN A 127.0.0.2
            9.2.0.192 IN TXT "#2 tricky  - see https://bl.example.org/192.0.2.9"
            1.100.51.198 IN A 127.0.0.3
            1.100.51.198 IN TXT "virus \"Eicar\" costs $5 \\ caf\195\169 - see https://bl.example.org/198.51.100.1"
            *.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2 IN A 127.0.0.4
            *.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2 IN TXT "#1 =spam - see https://bl.example.org/2001:db8:1:2::"

            """.ReplaceLineEndings("\n"),
            sut);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(62)]
    [InlineData(128)]
    public void WriteMaster_AnyPrefix_OwnersAreZoneOwnerNames(int prefix)
    {
        var zone = Zone(prefix);
        var expected = zone.Entries.SelectMany(e => ZoneOwnerNames.Of(e).SelectMany(n => new[] { $"{n} IN A", $"{n} IN TXT" }));

        var sut = Render(w => BindZoneFile.Write(zone, Bl, Settings, w))
            .Split('\n').Skip(6).Where(l => l.Length > 0).Select(l => string.Join(' ', l.Split(' ').Take(3)));

        Assert.Equal(expected, sut);
    }

    [Fact]
    public void Quote_ControlAndQuote_Escaped()
    {
        Span<byte> destination = stackalloc byte[64];

        var n = BindZoneFile.Quote("a\"b\\c\u0001\u007f"u8, destination);

        Assert.Equal("\"a\\\"b\\\\c\\001\\127\"", Encoding.ASCII.GetString(destination[..n]));
    }

    [Theory]
    [InlineData("{reason} - see {url}", "https://x/{address}", "$= $= - see https://x/$\n")]
    [InlineData("listed: {reason} ($$ {address})", "", "$= listed: $= ($$$$ $)\n")]
    [InlineData("{reason} {url}", "https://x/?ip={address}&z=1", "$= $= https://x/?ip=$&z=1\n")]
    [InlineData("{address}={reason}", "", null)] // '$=' would be the reason
    [InlineData("{reason} {url}", "https://x/{address}1", null)] // '$1' a variable
    [InlineData("{address}{address}", "", null)] // '$$' a dollar
    [InlineData(" {reason}", "", null)] // rbldnsd drops leading white space
    public void RbldnsdTemplate_Template_BaseLineOrNone(string template, string url, string? expected) =>
        Assert.Equal(expected, RbldnsdTemplate.Create(template, url)?.Line);

    [Fact]
    public void RbldnsdTemplate_Length_FixedPlusFields()
    {
        var sut = RbldnsdTemplate.Create("{reason} - see {url} ({reason})", "https://x/{address}")!;

        Assert.Equal(" - see https://x/ ()".Length + (2 * 5) + 9, sut.Length(5, 9));
    }

    [Theory]
    [InlineData("virus Eicar", true)]
    [InlineData("#x", false)]
    [InlineData("=x", false)]
    [InlineData(" x", false)]
    [InlineData("x ", false)]
    [InlineData("", false)]
    public void RbldnsdTemplate_Keeps_WhatADefaultLineKeeps(string reason, bool expected) => Assert.Equal(expected, RbldnsdTemplate.Keeps(reason));

    [Theory]
    [InlineData("listed", true)]
    [InlineData("ends in a space ", false)]
    [InlineData("line\nbreak", false)]
    public void IsExact_Text_WhatRbldnsdKeeps(string text, bool expected) =>
        Assert.Equal(expected, RbldnsdFiles.IsExact(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void IsExact_Lengths_RbldnsdLimits()
    {
        Assert.True(RbldnsdFiles.IsExact(Encoding.ASCII.GetBytes(new string('x', 254))));
        Assert.False(RbldnsdFiles.IsExact(Encoding.ASCII.GetBytes(new string('x', 255)))); // rbldnsd answers 254 bytes
        Assert.False(RbldnsdFiles.IsExact(Encoding.ASCII.GetBytes(new string('x', 250) + "$$$$$"))); // 1 + 255 + 5 > 255 stored
    }

    private static ZoneSnapshot Zone(int ipv6Prefix = 64)
    {
        var virus = new ListingAnswer(0x7F00_0003, "virus \"Eicar\" costs $5 \\ café");
        var spam = new ListingAnswer(0x7F00_0004, "#1 =spam");
        var network = IpSubject.FromIPv6(IpSubject.Parse("2001:db8:1:2::").Value & (UInt128.MaxValue << (128 - ipv6Prefix)));
        var tricky = new ListingAnswer(0x7F00_0002, "#2 tricky ");
        var index = new ListingIndex(
            ListingSet.Build([new(IpSubject.Parse("192.0.2.7"), virus), new(IpSubject.Parse("192.0.2.9"), tricky), new(IpSubject.Parse("198.51.100.1"), virus), new(network, spam)]),
            [],
            [],
            4,
            2026112701);
        return ZoneSnapshot.Capture(index, DnsList.Block, ipv6Prefix);
    }

    private static string Render(Action<ZoneTextWriter> write)
    {
        using var stream = new MemoryStream();
        var writer = new ZoneTextWriter(stream);
        write(writer);
        writer.Flush();
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
