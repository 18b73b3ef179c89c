using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Dns;

public class DnsblNameTests
{
    [Theory]
    [InlineData("99.2.0.192", "Address", "192.0.2.99")]
    [InlineData("0.0.0.0", "AddressOrPartial", "0.0.0.0")]
    [InlineData("255.255.255.255", "Address", "255.255.255.255")]
    [InlineData("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2", "Address", "2001:db8:1:2:3:4:567:89ab")]
    [InlineData("B.A.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.B.D.0.1.0.0.2", "Address", "2001:db8:1:2:3:4:567:89ab")]
    [InlineData("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", "Address", "127.0.0.2")]
    [InlineData("127", "Partial", null)]
    [InlineData("0.127", "Partial", null)]
    [InlineData("f.f.f", "Partial", null)]
    [InlineData("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", "Partial", null)]
    [InlineData("x", "None", null)]
    [InlineData("00.2.0.192", "None", null)]
    [InlineData("256", "None", null)]
    [InlineData("1.2.3.4.55", "None", null)]
    [InlineData("1.2.3.4.5", "Partial", null)]
    [InlineData("10.a", "None", null)]
    [InlineData("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", "None", null)]
    [InlineData("ab.0.0.0", "None", null)]
    public void Classify_Labels_KindAndAddress(string labels, string kind, string? address)
    {
        var name = DnsPackets.Name(labels + ".zone");
        var offsets = DnsName.LabelOffsets(name).Select(o => (byte)o).ToArray();

        var result = DnsblName.Classify(name, offsets, offsets.Length - 1, out var subject);

        Assert.Equal(kind, result.ToString());
        if (address is not null)
        {
            Assert.Equal(IpSubject.Parse(address), subject);
        }
    }
}
