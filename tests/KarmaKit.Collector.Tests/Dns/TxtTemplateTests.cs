using System.Text;
using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Dns;

public class TxtTemplateTests
{
    [Theory]
    [InlineData("{reason} - see {url}", "https://x.test/l/{address}", "spam - see https://x.test/l/192.0.2.1")]
    [InlineData("{address}: {reason}", "", "192.0.2.1: spam")]
    [InlineData("{reason}{reason} {unknown} {url", "u", "spamspam {unknown} {url")]
    [InlineData("listed", "u", "listed")]
    public void Write_Template_FieldsReplaced(string template, string url, string expected)
    {
        var sut = TxtTemplate.Compile(template, url);
        var buffer = new byte[300];

        var length = sut.Write(buffer, "spam", IpSubject.Parse("192.0.2.1"));

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, length));
    }

    [Fact]
    public void Write_LongerThan255_CutOnACharacterBoundary()
    {
        var sut = TxtTemplate.Compile("{reason}€€€€€€€€€€", "");
        var buffer = new byte[300];

        var length = sut.Write(buffer, new string('a', 250), IpSubject.Parse("192.0.2.1"));

        Assert.Equal(250 + 3, length);
    }
}
