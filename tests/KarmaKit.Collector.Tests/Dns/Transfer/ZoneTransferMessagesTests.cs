using System.Text;
using KarmaKit.Collector.Dns;
using static KarmaKit.Collector.Tests.Dns.Transfer.TransferTestZones;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

public class ZoneTransferMessagesTests
{
    private static readonly ListingAnswer Spam = new(0x7F00_0004, "spam");

    [Fact]
    public void Next_TestEntryOnly_ExactBytes()
    {
        var nibbles = Convert.ToHexString(DnsPackets.Name("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0")[..^1]);
        var soaData = "0027 036E7331C025 0A686F73746D6173746572C025 0000002A 00000E10 00000258 00093A80 0000003C";
        var txt = "0014 13" + Convert.ToHexString(Encoding.ASCII.GetBytes("RFC 5782 test entry"));
        var expected = string.Concat(
            "1234 8400 0001 0007 0000 0000",                                  // id, QR AA, 1 question, 7 answers
            "02626C 086B61726D616B6974 0474657374 00 00FC 0001",              // @12 question: bl.karmakit.test AXFR IN
            "02626C 086B61726D616B6974 0474657374 00 0006 0001 0000012C", soaData, // @34 the apex in full, SOA
            "C022 0002 0001 0000012C 0006 036E7331C025",                      // @101 NS ns1 + pointer to karmakit.test
            "0132 0130 0130 03313237 C022 0001 0001 0000012C 0004 7F000002", // @119 2.0.0.127 A
            "C077 0010 0001 0000012C", txt,                                   // @145 TXT at the same owner
            nibbles, "C022 0001 0001 0000012C 0004 7F000002",                 // @177 ::ffff:7f00:2 A
            "C0B1 0010 0001 0000012C", txt,                                   // @257 TXT
            "C022 0006 0001 0000012C", soaData).Replace(" ", "", StringComparison.Ordinal); // @289 SOA again

        var sut = Messages(Settings(), Snapshot(42));

        Assert.Equal(expected, Convert.ToHexString(Assert.Single(sut)));
    }

    [Fact]
    public void Next_Entries_SoaNsThenATxtPerOwnerThenSoa()
    {
        var sut = Records(Messages(Settings("{reason} {address}"), Snapshot(7, ("192.0.2.99", Spam), ("2001:db8:1:2::", Spam))));

        const string Soa = "bl.karmakit.test. 6 ns1.karmakit.test. hostmaster.karmakit.test. 7 3600 600 604800 60";
        var v6 = "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.karmakit.test.";
        Assert.Equal(
            [
                Soa,
                "bl.karmakit.test. 2 ns1.karmakit.test.",
                "2.0.0.127.bl.karmakit.test. 1 127.0.0.2",
                "2.0.0.127.bl.karmakit.test. 16 RFC 5782 test entry 127.0.0.2",
                $"{v6} 1 127.0.0.2",
                $"{v6} 16 RFC 5782 test entry 127.0.0.2",
                "99.2.0.192.bl.karmakit.test. 1 127.0.0.4",
                "99.2.0.192.bl.karmakit.test. 16 spam 192.0.2.99",
                "*.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.karmakit.test. 1 127.0.0.4",
                "*.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.karmakit.test. 16 spam 2001:db8:1:2::",
                Soa,
            ],
            sut);
    }

    [Fact]
    public void Next_EveryRecord_ServerTtlAndClassIn()
    {
        var sut = Messages(Settings(), Snapshot(7, ("192.0.2.99", Spam))).SelectMany(m => DnsAnswer.Parse(m).Answers);

        Assert.All(sut, r => Assert.Equal((300u, (ushort)1), (r.Ttl, r.Class)));
    }

    [Theory]
    [InlineData(512)]
    [InlineData(700)]
    [InlineData(4096)]
    public void Next_SmallLimit_SplitIntoWholeMessagesWithTheSameRecords(int limit)
    {
        var entries = Enumerable.Range(0, 100).Select(i => ($"198.51.100.{i}", Spam)).ToArray();
        var whole = Messages(Settings(), Snapshot(9, entries));

        var sut = Messages(Settings(), Snapshot(9, entries), limit);

        Assert.Single(whole);
        Assert.True(sut.Count > 1);
        Assert.All(sut, m => Assert.InRange(m.Length, 12, limit));
        Assert.Equal(Records(whole), Records(sut));
        Assert.Single(DnsAnswer.Parse(sut[0]).Questions);
        Assert.All(sut.Skip(1), m => Assert.Empty(DnsAnswer.Parse(m).Questions));
        Assert.All(sut, m => Assert.Equal((0x1234, true, true, 0), (DnsAnswer.Parse(m).Id, DnsAnswer.Parse(m).Qr, DnsAnswer.Parse(m).Aa, DnsAnswer.Parse(m).Rcode)));
    }

    [Fact]
    public void Next_SmallLimit_MessagesFilledUpToTheRecordThatDoesNotFit()
    {
        var entries = Enumerable.Range(0, 100).Select(i => ($"198.51.100.{i}", Spam)).ToArray();

        var sut = Messages(Settings(), Snapshot(9, entries), 512);

        // Every message but the last ends where the next record (at most a full TXT: 2 + 10 + 256 bytes) could not fit.
        Assert.All(sut.SkipLast(1), m => Assert.True(m.Length > 512 - 268, $"{m.Length} bytes"));
    }

    [Fact]
    public void Next_ManyEntries_SeveralMessagesUnder64KiB()
    {
        var entries = Enumerable.Range(0, 5000).Select(i => ($"10.{i >> 8}.{i & 0xFF}.1", Spam)).ToArray();

        var sut = Messages(Settings("{reason} - see http://127.0.0.1:8440/lookup/{address}"), Snapshot(9, entries));

        Assert.True(sut.Count >= 5, $"{sut.Count} messages");
        Assert.All(sut, m => Assert.InRange(m.Length, 12, 65535));
        var records = Records(sut);
        Assert.Equal(2 + 4 + (2 * 5000) + 1, records.Count);
        Assert.Equal(records[0], records[^1]);
        Assert.Equal("1.135.19.10.bl.karmakit.test. 16 spam - see http://127.0.0.1:8440/lookup/10.19.135.1", records[^2]);
    }

    [Fact]
    public void Next_SoaOnly_OneMessageWithTheSoa()
    {
        var sut = Messages(Settings(), Snapshot(11, ("192.0.2.99", Spam)), soaOnly: true);

        Assert.Equal(["bl.karmakit.test. 6 ns1.karmakit.test. hostmaster.karmakit.test. 11 3600 600 604800 60"], Records(sut));
    }

    [Fact]
    public void Next_QueryWithRd_RdCopied()
    {
        var sut = Messages(Settings(), Snapshot(11), queryFlags: DnsWire.FlagRd);

        Assert.True(DnsAnswer.Parse(Assert.Single(sut)).Rd);
    }
}
