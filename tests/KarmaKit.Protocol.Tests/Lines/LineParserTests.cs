using System.Text;
using KarmaKit.Protocol.Lines;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Protocol.Tests.Lines;

public sealed class LineParserTests
{
    [Theory]
    [InlineData("black 1.2.3.4", Verb.Black, "1.2.3.4", "")]
    [InlineData("white 1.2.3.4", Verb.White, "1.2.3.4", "")]
    [InlineData("BLACK 1.2.3.4", Verb.Black, "1.2.3.4", "")]
    [InlineData("White 1.2.3.4", Verb.White, "1.2.3.4", "")]
    [InlineData("black 1.2.3.4\r", Verb.Black, "1.2.3.4", "")] // CRLF: the caller cut at LF
    [InlineData("black 203.0.113.5 virus Eicar-Test-Signature", Verb.Black, "203.0.113.5", "virus Eicar-Test-Signature")]
    [InlineData("black  203.0.113.5 \t spam score=12.3  ", Verb.Black, "203.0.113.5", "spam score=12.3")]
    [InlineData("  black 1.2.3.4", Verb.Black, "1.2.3.4", "")]
    [InlineData("black\t1.2.3.4\tauth-bruteforce", Verb.Black, "1.2.3.4", "auth-bruteforce")]
    [InlineData("black 2001:0db8:0000:0000:0000:0000:0000:0001 auth-bruteforce", Verb.Black, "2001:db8::1", "auth-bruteforce")]
    [InlineData("black ::ffff:192.0.2.9", Verb.Black, "192.0.2.9", "")]
    [InlineData("black 1.2.3.4 virus Trojan.Gen \u00e9t\u00e9", Verb.Black, "1.2.3.4", "virus Trojan.Gen \u00e9t\u00e9")]
    public void TryParse_ValidLine_ReturnsVerbSubjectReason(string line, Verb verb, string subject, string reason)
    {
        var bytes = Encoding.UTF8.GetBytes(line);

        Assert.True(LineParser.TryParse(bytes, out var sut, out var error));
        Assert.Equal(LineError.None, error);
        Assert.Equal(verb, sut.Verb);
        Assert.Equal(IpSubject.Parse(subject), sut.Subject);
        Assert.Equal(reason, Encoding.UTF8.GetString(sut.Reason));
    }

    [Theory]
    [InlineData("", LineError.Empty)]
    [InlineData("   ", LineError.Empty)]
    [InlineData("\r", LineError.Empty)]
    [InlineData("grey 1.2.3.4", LineError.UnknownVerb)]
    [InlineData("blacklist 1.2.3.4", LineError.UnknownVerb)]
    [InlineData("1.2.3.4", LineError.UnknownVerb)]
    [InlineData("black", LineError.MissingSubject)]
    [InlineData("black ", LineError.MissingSubject)] // Exim's $sender_host_address empty
    [InlineData("black 1.2.3", LineError.InvalidSubject)]
    [InlineData("black  virus Eicar", LineError.InvalidSubject)] // empty address, reason slid into its place
    [InlineData("black host.example.org", LineError.InvalidSubject)]
    [InlineData("black 0.0.0.0", LineError.UnspecifiedSubject)]
    [InlineData("black ::", LineError.UnspecifiedSubject)]
    [InlineData("black 1.2.3.4 a\u0001b", LineError.ControlCharacter)]
    [InlineData("black 1.2.3.4\0", LineError.ControlCharacter)]
    [InlineData("black 1.2.3.4 x\u007f", LineError.ControlCharacter)]
    [InlineData("black 1.2.3.4 a\tb", LineError.ControlCharacter)] // a tab only separates fields
    [InlineData("black 1.2.3.4\rx", LineError.ControlCharacter)] // a CR inside the line
    public void TryParse_InvalidLine_ReturnsError(string line, LineError expected)
    {
        Assert.False(LineParser.TryParse(Encoding.UTF8.GetBytes(line), out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryParse_InvalidUtf8InReason_ReturnsInvalidUtf8()
    {
        byte[] line = [.. "black 1.2.3.4 virus "u8, 0xC3, 0x28];

        Assert.False(LineParser.TryParse(line, out _, out var error));
        Assert.Equal(LineError.InvalidUtf8, error);
    }

    [Fact]
    public void TryParse_ReasonOfExactly200Bytes_IsAccepted()
    {
        var reason = new string('r', ProtocolLimits.MaxReasonBytes);

        Assert.True(LineParser.TryParse(Encoding.UTF8.GetBytes("black 1.2.3.4 " + reason), out var sut, out _));
        Assert.Equal(ProtocolLimits.MaxReasonBytes, sut.Reason.Length);
    }

    [Fact]
    public void TryParse_ReasonOf201Bytes_ReturnsReasonTooLong()
    {
        var reason = new string('r', ProtocolLimits.MaxReasonBytes + 1);

        Assert.False(LineParser.TryParse(Encoding.UTF8.GetBytes("black 1.2.3.4 " + reason), out _, out var error));
        Assert.Equal(LineError.ReasonTooLong, error);
    }

    [Fact]
    public void TryParse_LineOverTheLimit_ReturnsLineTooLong()
    {
        var line = Encoding.ASCII.GetBytes("black 1.2.3.4 " + new string('x', ProtocolLimits.MaxLineBytes));

        Assert.False(LineParser.TryParse(line, out _, out var error));
        Assert.Equal(LineError.LineTooLong, error);
    }

    [Fact]
    public void Describe_EveryError_HasCodeAndText()
    {
        foreach (var error in Enum.GetValues<LineError>().Where(e => e != LineError.None))
        {
            var text = Encoding.ASCII.GetString(LineErrors.Describe(error));
            Assert.Matches("^[a-z-]+ [ -~]+$", text);
        }
    }
}
