using KarmaKit.Collector.Dns;

namespace KarmaKit.Collector.Tests.Dns;

public class DnsNameTextTests
{
    [Fact]
    public void ToText_NameFromTheNetwork_ControlDotAndBackslashEscaped()
    {
        byte[] wire = [5, (byte)'a', (byte)'\r', (byte)'.', (byte)'\\', 0x1B, 2, (byte)'b', (byte)'l', 0];

        Assert.Equal("a\\013\\046\\092\\027.bl.", DnsName.ToText(wire));
    }

    [Fact]
    public void ToText_Root_Dot() => Assert.Equal(".", DnsName.ToText([0]));
}
