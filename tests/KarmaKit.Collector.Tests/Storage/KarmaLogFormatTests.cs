using System.Buffers;
using System.Text;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Storage;

public sealed class KarmaLogFormatTests
{
    private static readonly DateTime Received = new(2026, 11, 26, 17, 19, 3, 4, DateTimeKind.Utc);
    private static readonly DateTime First = new(2026, 11, 26, 17, 18, 58, 123, DateTimeKind.Utc);

    private static string Format(ReportEntry entry, string batch = "mx1-17-40", int size = 2)
    {
        var buffer = new ArrayBufferWriter<byte>();
        KarmaLogFormat.Write(buffer, Received, "mx1.example.org", batch, size, entry);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static KarmaLogRecord Parse(string line)
    {
        Assert.True(KarmaLogParser.TryParse(Encoding.UTF8.GetBytes(line.TrimEnd('\n')), out var record), line);
        return record!;
    }

    [Fact]
    public void Write_Report_IsTheDocumentedLine()
    {
        var sut = Format(new ReportEntry(Verb.Black, IpSubject.Parse("192.0.2.1"), 3, First, Received, "virus Eicar"));

        Assert.Equal(
            "2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch=mx1-17-40 size=2 reason=\"virus Eicar\"\n",
            sut);
    }

    [Fact]
    public void Write_NoReason_OmitsTheField()
    {
        var sut = Format(new ReportEntry(Verb.White, IpSubject.Parse("2001:0db8:0000:0000:0000:0000:0000:0001"), 1, First, Received, null));

        Assert.EndsWith(" white 2001:db8::1 count=1 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch=mx1-17-40 size=2\n", sut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("virus Eicar")]
    [InlineData("say \"hi\"")]
    [InlineData("back\\slash \\\" and \\x41")]
    [InlineData("\"")]
    [InlineData("\\")]
    [InlineData("Grüße 日本語 😀 spam")]
    [InlineData("line\nbreak\r\ttab \u0001\u001f\u007f end")]
    [InlineData("reason=\"fake\" count=99")]
    [InlineData(" leading and trailing ")]
    public void Write_ThenParse_RoundTripsTheReason(string reason)
    {
        var entry = new ReportEntry(Verb.Black, IpSubject.Parse("::ffff:198.51.100.7"), 42, First, Received, reason);

        var line = Format(entry);
        var sut = Parse(line);

        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(reason, sut.Reason);
        Assert.Equal(Received, sut.Received);
        Assert.Equal(DateTimeKind.Utc, sut.Received.Kind);
        Assert.Equal("mx1.example.org", sut.Reporter);
        Assert.Equal(Verb.Black, sut.Verb);
        Assert.Equal(IpSubject.Parse("198.51.100.7"), sut.Subject);
        Assert.Equal(42, sut.Count);
        Assert.Equal(First, sut.First);
        Assert.Equal(Received, sut.Last);
        Assert.Equal("mx1-17-40", sut.Batch);
        Assert.Equal(2, sut.BatchSize);
    }

    [Fact]
    public void Write_ControlCharacters_AreEscapedNotRaw()
    {
        var line = Format(new ReportEntry(Verb.Black, IpSubject.Parse("192.0.2.1"), 1, First, Received, "a\nb\u0001c\u007f"));

        Assert.Contains("reason=\"a\\nb\\x01c\\x7f\"", line, StringComparison.Ordinal);
        Assert.Equal(line.Length - 1, line.IndexOf('\n', StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MinimalLineWithUnknownField_IsRead()
    {
        var sut = Parse("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 future=field reason=\"virus Eicar\"");

        Assert.Equal("virus Eicar", sut.Reason);
        Assert.Null(sut.Batch);
        Assert.Null(sut.First);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-11-26T17:19:03.004Z")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=0")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=x")]
    [InlineData("2026-11-26 17:19:03Z mx1.example.org black 192.0.2.1 count=3")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org grey 192.0.2.1 count=3")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.300 count=3")]
    [InlineData("2026-11-26T17:19:03.004Z mx1 example black 192.0.2.1 count=3")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org  black 192.0.2.1 count=3")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 ")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 reason=\"unterminated")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 reason=\"bad \\q escape\"")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 reason=\"x\" count=4")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 reason=unquoted")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 reason=\"\\xff\"")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 batch=a\"b size=1")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 size=-1")]
    [InlineData("2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3\r")]
    public void TryParse_Malformed_ReturnsFalse(string line) =>
        Assert.False(KarmaLogParser.TryParse(Encoding.UTF8.GetBytes(line), out _));

    [Fact]
    public void TryParse_RawControlInsideQuotes_ReturnsFalse()
    {
        var line = "2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=3 reason=\"a\u0001b\""u8;

        Assert.False(KarmaLogParser.TryParse(line, out _));
    }

    [Fact]
    public void Write_SharedLineTimes_EachLineHasItsOwnTimes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var times = new LineTimes();
        var later = First.AddMilliseconds(1);
        var local = DateTime.SpecifyKind(First, DateTimeKind.Utc).ToLocalTime();
        (DateTime First, DateTime Last)[] rows = [(First, Received), (First, Received), (later, Received), (First, later), (local, Received)];

        foreach (var (first, last) in rows)
        {
            KarmaLogFormat.Write(buffer, ref times, Received, "mx1.example.org", "b", 5, new ReportEntry(Verb.Black, IpSubject.Parse("192.0.2.1"), 1, first, last, null));
        }

        var expected = string.Concat(rows.Select(r =>
        {
            var single = new ArrayBufferWriter<byte>();
            KarmaLogFormat.Write(single, Received, "mx1.example.org", "b", 5, new ReportEntry(Verb.Black, IpSubject.Parse("192.0.2.1"), 1, r.First, r.Last, null));
            return Encoding.UTF8.GetString(single.WrittenSpan);
        }));
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Contains("first=2026-11-26T17:18:58.124Z last=2026-11-26T17:19:03.004Z", expected, StringComparison.Ordinal);
        Assert.Equal(5, expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("first=2026-11-26T17:18:58.12", StringComparison.Ordinal)));
    }
}
