using System.Text;
using KarmaKit.Collector.Operator;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.OperatorActions;

public class OperatorLogLineTests
{
    private static readonly DateTime At = new(2026, 11, 27, 6, 0, 0, 123, DateTimeKind.Utc);

    private static IpNetwork Net(string text) => IpNetwork.TryParse(text.AsSpan(), out var n) ? n : throw new FormatException(text);

    public static TheoryData<string, int, string, bool, string?> Lines => new()
    {
        { "alice", (int)OperatorVerb.Allow, "192.0.2.0/24", true, "customer relay \"mx\" \\ tab\there" },
        { "alice", (int)OperatorVerb.Allow, "2001:db8:1::/48", false, "partner" },
        { "bob", (int)OperatorVerb.Unallow, "192.0.2.0/24", false, null },
        { "ops_1", (int)OperatorVerb.Delist, "198.51.100.7", true, "false positive ü" },
        { "ops_1", (int)OperatorVerb.Delist, "2001:db8::5", false, null },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Format_ThenTryParse_RoundTrips(string name, int verb, string network, bool until, string? reason)
    {
        var action = new OperatorAction(At, name, (OperatorVerb)verb, Net(network), until ? At.AddDays(7) : null, reason);

        var line = OperatorLogLine.Format(action);

        Assert.True(OperatorLogLine.TryParse(Encoding.UTF8.GetBytes(line), out var parsed), line);
        Assert.Equal(action, parsed);
        Assert.True(OperatorLogLine.IsOperatorLine(Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void Format_Allow_FollowsTheReportLineLayout()
    {
        var action = new OperatorAction(At, "alice", OperatorVerb.Allow, Net("192.0.2.9/24"), At.AddDays(7), "customer relay");

        Assert.Equal("2026-11-27T06:00:00.123Z operator:alice allow 192.0.2.0/24 until=2026-12-04T06:00:00.123Z reason=\"customer relay\"",
            OperatorLogLine.Format(action));
    }

    [Theory]
    [InlineData("2026-11-27T06:00:00.123Z operator:alice delist 192.0.2.0/24")] // delist takes one address
    [InlineData("2026-11-27T06:00:00.123Z operator: allow 192.0.2.0/24")]
    [InlineData("2026-11-27T06:00:00.123Z alice allow 192.0.2.0/24")]
    [InlineData("2026-11-27T06:00:00.123Z operator:alice permit 192.0.2.0/24")]
    [InlineData("2026-11-27T06:00:00.123Z operator:alice allow 192.0.2.0/33")]
    [InlineData("2026-11-27T06:00:00.123Z operator:alice allow 192.0.2.0/24 until=tomorrow")]
    [InlineData("2026-11-27T06:00:00.123Z operator:alice allow 192.0.2.0/24 reason=\"a\" until=2026-12-04T06:00:00.123Z")]
    [InlineData("2026-11-27T06:00:00.123Z operator:alice allow 192.0.2.0/24 reason=\"open")]
    public void TryParse_Malformed_False(string line)
    {
        Assert.False(OperatorLogLine.TryParse(Encoding.UTF8.GetBytes(line), out _));
    }

    [Fact]
    public void TryParse_UnknownField_Skipped()
    {
        Assert.True(OperatorLogLine.TryParse("2026-11-27T06:00:00.123Z operator:alice allow 192.0.2.0/24 ticket=OPS-17 reason=\"x\""u8, out var action));
        Assert.Equal("x", action!.Reason);
    }

    [Fact]
    public void ReportReaders_OperatorLines_NotReports()
    {
        foreach (var line in OperatorLines())
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            Assert.False(KarmaLogParser.TryParse(bytes, out _), line);
            Assert.False(StateLine.TryParse(bytes, out _), line);
        }
    }

    [Fact]
    public void KeepLength_OperatorLineLast_KeepsEverything()
    {
        var report = "2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=1 batch=b-1 size=1\n";
        var tail = Encoding.UTF8.GetBytes(report + string.Join("\n", OperatorLines()) + "\n");

        Assert.Equal(tail.Length, KarmaLogRecovery.KeepLength(tail, wholeFile: true, out var lines, out var batch));
        Assert.Equal(0, lines);
        Assert.Null(batch);
    }

    [Fact]
    public void KeepLength_TornBatchAfterOperatorLine_CutBackToTheOperatorLine()
    {
        var kept = OperatorLines()[0] + "\n";
        var tail = Encoding.UTF8.GetBytes(kept + "2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=1 batch=b-2 size=2\n");

        Assert.Equal(Encoding.UTF8.GetByteCount(kept), KarmaLogRecovery.KeepLength(tail, wholeFile: true, out var lines, out var batch));
        Assert.Equal(1, lines);
        Assert.Equal("b-2", batch);
    }

    [Theory]
    [InlineData("192.0.2.7/24", "192.0.2.0/24", 120)]
    [InlineData("192.0.2.7", "192.0.2.7", 128)]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7", 128)]
    [InlineData("2001:DB8:0:0:1::/64", "2001:db8:0:0::/64", 64)]
    [InlineData("2001:db8::1", "2001:db8::1", 128)]
    public void IpNetwork_TryParse_Canonical(string text, string expected, int length)
    {
        Assert.True(IpNetwork.TryParse(text.AsSpan(), out var network));
        Assert.Equal(length, network.Length);
        Assert.Equal(Net(expected), network);
        Assert.Equal(IpNetwork.TryParse(network.ToString().AsSpan(), out var again) ? again : default, network);
    }

    [Theory]
    [InlineData("192.0.2.0/")]
    [InlineData("192.0.2.0/-1")]
    [InlineData("192.0.2.0/+8")]
    [InlineData("2001:db8::/129")]
    [InlineData("example.org")]
    public void IpNetwork_TryParse_Malformed_False(string text)
    {
        Assert.False(IpNetwork.TryParse(text.AsSpan(), out _));
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("7d", 604800)]
    [InlineData("2w", 1209600)]
    [InlineData("1.00:00:00", 86400)]
    public void DurationText_TryParse_Seconds(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, out var span));
        Assert.Equal(TimeSpan.FromSeconds(seconds), span);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-1d")]
    [InlineData("7y")]
    [InlineData("100000w")]
    [InlineData("10")]
    public void DurationText_TryParse_Refused(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }

    private static string[] OperatorLines() =>
    [
        OperatorLogLine.Format(new OperatorAction(At, "alice", OperatorVerb.Allow, Net("192.0.2.0/24"), At.AddDays(7), "customer relay")),
        OperatorLogLine.Format(new OperatorAction(At, "alice", OperatorVerb.Unallow, Net("192.0.2.0/24"), null, null)),
        OperatorLogLine.Format(new OperatorAction(At, "alice", OperatorVerb.Delist, IpNetwork.Single(IpSubject.Parse("198.51.100.7")), null, null)),
    ];
}
