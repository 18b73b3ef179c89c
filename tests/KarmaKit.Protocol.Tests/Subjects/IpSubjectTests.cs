using System.Net;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Protocol.Tests.Subjects;

public sealed class IpSubjectTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("0.0.0.1", "0.0.0.1")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("127.0.0.2", "127.0.0.2")]
    [InlineData("::1", "::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")] // what exim -bh sends
    [InlineData("2001:DB8::A", "2001:db8::a")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")] // RFC 5952 §4.2.3: first of equal runs
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")] // longest run wins
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")] // a single zero group is not compressed
    [InlineData("::", "::")]
    [InlineData("1::", "1::")]
    [InlineData("fe80::", "fe80::")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")] // IPv4-mapped is the IPv4 subject
    [InlineData("::FFFF:C000:0201", "192.0.2.1")]
    [InlineData("0000:0000:0000:0000:0000:ffff:c000:0201", "192.0.2.1")]
    [InlineData("::ffff:7f00:2", "127.0.0.2")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    [InlineData("::192.0.2.1", "::c000:201")] // IPv4-compatible (deprecated) stays IPv6
    [InlineData("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8")]
    [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
    [InlineData("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void TryParse_ValidText_FormatsCanonically(string text, string canonical)
    {
        Assert.True(IpSubject.TryParse(text.AsSpan(), out var sut));
        Assert.Equal(canonical, sut.ToString());
        Assert.True(IpSubject.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out var fromBytes));
        Assert.Equal(sut, fromBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.256")]
    [InlineData("01.2.3.4")] // leading zero: could be read as octal elsewhere
    [InlineData("1.2.3.04")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.4.")]
    [InlineData(".1.2.3.4")]
    [InlineData("1.2.3.-4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("1234.1.1.1")]
    [InlineData("localhost")]
    [InlineData(":")]
    [InlineData(":::")]
    [InlineData("1::2::3")]
    [InlineData(":1:2:3:4:5:6:7")]
    [InlineData("1:2:3:4:5:6:7:")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("12345::")]
    [InlineData("g::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("::ffff:1.2.3")]
    [InlineData("::ffff:1.2.3.4:5")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001:0000:0000:0000:0000:0001")]
    public void TryParse_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(IpSubject.TryParse(text.AsSpan(), out _));
        Assert.False(IpSubject.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void TryParse_AgreesWithIPAddress_OnRandomAddresses()
    {
        var random = new Random(5782);
        var bytes = new byte[16];
        var written = new byte[16];
        for (var i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            if (i % 3 == 0)
            {
                bytes.AsSpan(4, 8).Clear(); // long zero runs exercise "::"
            }

            var expected = new IPAddress(bytes);
            Assert.True(IpSubject.TryParse(expected.ToString().AsSpan(), out var sut));
            Assert.Equal(expected.ToString(), sut.ToString());
            Assert.Equal(16, sut.WriteBytes(written));
            Assert.True(written.SequenceEqual(bytes));
        }
    }

    [Fact]
    public void IsIPv4_MappedAndPlainIPv4_AreTheSameSubject()
    {
        var plain = IpSubject.Parse("198.51.100.7");
        var mapped = IpSubject.Parse("::ffff:198.51.100.7");

        Assert.True(plain.IsIPv4);
        Assert.Equal(plain, mapped);
        Assert.Equal(0xC633_6407u, plain.IPv4Value);
        Assert.Equal(plain, IpSubject.FromBytes([198, 51, 100, 7]));
    }

    [Theory]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("::ffff:0.0.0.0", true)]
    [InlineData("0.0.0.1", false)]
    [InlineData("::1", false)]
    public void IsUnspecified_ReportsOnlyTheUnspecifiedAddresses(string text, bool expected) =>
        Assert.Equal(expected, IpSubject.Parse(text).IsUnspecified);

    [Fact]
    public void TryFormat_ShortDestination_ReturnsFalseAndWritesNothing()
    {
        var sut = IpSubject.Parse("2001:db8::1");
        Span<byte> small = stackalloc byte[5];
        small.Fill((byte)'#');

        Assert.False(sut.TryFormat(small, out var written));
        Assert.Equal(0, written);
        Assert.True(small.IndexOfAnyExcept((byte)'#') < 0);
    }
}
