using System.Text;
using KarmaKit.Collector.Ingest;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol;

namespace KarmaKit.Collector.Tests.Ingest;

/// <summary>
/// <see cref="BatchJsonParser"/> against the old path (<see cref="OldBatchPath"/>): what it accepts, it accepts with the
/// same entries; everything else it leaves to the old path (false), which must then be what answers.
/// </summary>
public sealed class BatchJsonParserTests
{
    private const string First = "\"2026-11-26T17:18:58.123Z\"";
    private const string Last = "\"2026-11-26T17:19:03.004Z\"";

    private static string Report(string verb = "\"black\"", string subject = "\"192.0.2.9\"", string reason = "\"r\"", string first = First, string last = Last, string count = "1", string extra = "") =>
        $$"""{"verb":{{verb}},"subject":{{subject}},"reason":{{reason}},"first":{{first}},"last":{{last}},"count":{{count}}{{extra}}}""";

    private static string Batch(string reports, string id = "\"b1\"", string reporter = "\"mx1.example.org\"", string extra = "") =>
        $$"""{"reporter":{{reporter}},"batch":{{id}},"reports":[{{reports}}]{{extra}}}""";

    public static TheoryData<string, string> AcceptedForms() => new()
    {
        { "the contract's own serialisation", Batches.Json("b1", reports: 5) },
        { "IPv6, white, no reason", Batch(Report(verb: "\"white\"", subject: "\"2001:db8::1\"", reason: "null")) },
        { "expanded upper-case IPv6", Batch(Report(subject: "\"2001:0DB8:0000:0000:0000:0000:0000:0001\"")) },
        { "IPv4-mapped IPv6", Batch(Report(subject: "\"::ffff:192.0.2.1\"")) },
        { "upper-case verb", Batch(Report(verb: "\"BLACK\"")) },
        { "empty reason", Batch(Report(reason: "\"\"")) },
        { "reason left out", Batch("""{"verb":"black","subject":"192.0.2.1","first":"2026-11-26T17:18:58Z","last":"2026-11-26T17:18:58Z","count":2}""") },
        { "escaped reason", Batch(Report(reason: "\"caf\\u00E9 \\u0027quoted\\u0027 \\u002B \\u003C \\\"x\\\" \\\\ \\/\"")) },
        { "raw UTF-8 reason", Batch(Report(reason: "\"caf\u00e9 \u4e2d\u6587 \ud83d\ude00\"")) },
        { "reason of exactly 200 bytes", Batch(Report(reason: $"\"{new string('\u00e9', 100)}\"")) },
        { "reason of 200 bytes escaped", Batch(Report(reason: $"\"{string.Concat(Enumerable.Repeat("\\u00e9", 100))}\"")) },
        { "times with an offset", Batch(Report(first: "\"2026-11-26T19:18:58.123+02:00\"", last: "\"2026-11-26T12:19:03.004-05:00\"")) },
        { "seven fraction digits", Batch(Report(first: "\"2026-11-26T17:18:58.1234567Z\"")) },
        { "time without fraction", Batch(Report(first: "\"2026-11-26T17:18:58Z\"")) },
        { "first equals last", Batch(Report(first: Last)) },
        { "largest count", Batch(Report(count: "2147483647")) },
        { "unknown properties everywhere", Batch(Report(extra: ",\"x\":{\"y\":[1,2,{\"z\":null}]},\"n\":1e5"), extra: ",\"version\":2,\"tags\":[\"a\"]") },
        { "properties in another order", Batch($$"""{"count":1,"last":{{Last}},"reason":"r","first":{{First}},"subject":"192.0.2.1","verb":"white"}""") },
        { "escaped property names", Batch($$"""{"v\u0065rb":"black","subj\u0065ct":"192.0.2.1","first":{{First}},"last":{{Last}},"count":1}""") },
        { "white space everywhere", " \r\n\t" + Batch(Report()).Replace(",", " ,\n ").Replace("\":", "\" :\t") + "\n\n  " },
        { "reports before batch and reporter", $$"""{"reports":[{{Report()}}],"batch":"b1","reporter":"mx1.example.org"}""" },
        { "batch id of 128 printable characters", Batch(Report(), id: $"\"{new string('~', 128)}\"") },
        { "escaped reporter", Batch(Report(), reporter: "\"mx1.\\u0065xample.org\"") },
    };

    [Theory]
    [MemberData(nameof(AcceptedForms))]
    public void TryParse_AcceptedForm_SameEntriesAsTheOldPath(string why, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var expected = OldBatchPath.Parse(body);
        Assert.True(expected is not null, $"{why}: the old path refuses it");

        var accepted = BatchJsonParser.TryParse(body, OldBatchPath.Options, OldBatchPath.Now, out var sut);

        Assert.True(accepted, why);
        OldBatchPath.AssertSame(expected.Value, sut, why);
    }

    [Fact]
    public void TryParse_RepeatedReason_SharesOneString()
    {
        var body = Encoding.UTF8.GetBytes(Batches.Json("b1", reports: 20));

        Assert.True(BatchJsonParser.TryParse(body, OldBatchPath.Options, OldBatchPath.Now, out var sut));

        Assert.All(sut.Reports, r => Assert.Same(sut.Reports[0].Reason, r.Reason));
        Assert.Equal("virus Eicar", sut.Reports[0].Reason);
    }

    /// <summary>Valid bodies the fast parser leaves to the old path, which accepts them.</summary>
    public static TheoryData<string, byte[]> SlowPathValidForms() => new()
    {
        { "byte order mark", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Batch(Report()))] },
        { "escaped verb", Encoding.UTF8.GetBytes(Batch(Report(verb: "\"bl\\u0061ck\""))) },
        { "escaped subject", Encoding.UTF8.GetBytes(Batch(Report(subject: "\"192.0.2.\\u0031\""))) },
        { "duplicate verb", Encoding.UTF8.GetBytes(Batch(Report(extra: ",\"verb\":\"white\""))) },
        { "duplicate reports", Encoding.UTF8.GetBytes(Batch(Report(verb: "\"grey\""), extra: $",\"reports\":[{Report()}]")) },
        { "duplicate reporter", Encoding.UTF8.GetBytes(Batch(Report(), extra: ",\"reporter\":\"mx1.example.org\"")) },
        { "null reason twice", Encoding.UTF8.GetBytes(Batch(Report(reason: "null", extra: ",\"reason\":null"))) },
    };

    [Theory]
    [MemberData(nameof(SlowPathValidForms))]
    public void TryParse_UnusualValidForm_LeftToTheOldPath(string why, byte[] body)
    {
        Assert.False(BatchJsonParser.TryParse(body, OldBatchPath.Options, OldBatchPath.Now, out _), why);
    }

    public static TheoryData<string, byte[]> RefusedForms()
    {
        var data = new TheoryData<string, byte[]>
        {
            { "C1 control in reason", Encoding.UTF8.GetBytes(Batch(Report(reason: "\"a\u0085b\""))) },
            { "escaped C1 control in reason", Encoding.UTF8.GetBytes(Batch(Report(reason: "\"a\\u009fb\""))) },
            { "DEL in reason", Encoding.UTF8.GetBytes(Batch(Report(reason: "\"a\u007fb\""))) },
            { "escaped tab in reason", Encoding.UTF8.GetBytes(Batch(Report(reason: "\"a\\tb\""))) },
            { "reason of 201 bytes", Encoding.UTF8.GetBytes(Batch(Report(reason: $"\"{new string('a', 201)}\""))) },
            { "reason of 201 bytes escaped", Encoding.UTF8.GetBytes(Batch(Report(reason: $"\"{string.Concat(Enumerable.Repeat("\\u00e9", 100))}a\""))) },
            { "reason is a number", Encoding.UTF8.GetBytes(Batch(Report(reason: "5"))) },
            { "invalid UTF-8 in reason", [.. Encoding.UTF8.GetBytes(Batch(Report(reason: "\"a\u00e9b\""))).Select(b => b == 0xA9 ? (byte)0x29 : b)] },
            { "lone surrogate escape in reason", Encoding.UTF8.GetBytes(Batch(Report(reason: "\"\\udc00\""))) },
            { "verb missing", Encoding.UTF8.GetBytes(Batch($$"""{"subject":"192.0.2.1","first":{{First}},"last":{{Last}},"count":1}""")) },
            { "count missing", Encoding.UTF8.GetBytes(Batch($$"""{"verb":"black","subject":"192.0.2.1","first":{{First}},"last":{{Last}}}""")) },
            { "reporter missing", Encoding.UTF8.GetBytes($$"""{"batch":"b1","reports":[{{Report()}}]}""") },
            { "count null", Encoding.UTF8.GetBytes(Batch(Report(count: "null"))) },
            { "count exponent", Encoding.UTF8.GetBytes(Batch(Report(count: "1e2"))) },
            { "time null", Encoding.UTF8.GetBytes(Batch(Report(first: "null"))) },
            { "time with a space", Encoding.UTF8.GetBytes(Batch(Report(first: "\"2026-11-26 17:18:58Z\""))) },
            { "subject null", Encoding.UTF8.GetBytes(Batch(Report(subject: "null"))) },
            { "IPv6 unspecified", Encoding.UTF8.GetBytes(Batch(Report(subject: "\"::\""))) },
            { "subject with a prefix length", Encoding.UTF8.GetBytes(Batch(Report(subject: "\"192.0.2.0/24\""))) },
            { "reporter is a number", Encoding.UTF8.GetBytes(Batch(Report(), reporter: "7")) },
            { "reports is null", Encoding.UTF8.GetBytes("""{"reporter":"mx1.example.org","batch":"b1","reports":null}""") },
            { "a report is an array", Encoding.UTF8.GetBytes(Batch("[]")) },
            { "trailing comma", Encoding.UTF8.GetBytes(Batch(Report() + ",")) },
            { "depth 9 in an unknown property", Encoding.UTF8.GetBytes(Batch(Report(extra: ",\"x\":[[[[[[1]]]]]]"))) },
        };
        foreach (var row in MalformedBatchTests.BadBatches())
        {
            data.Add("MalformedBatchTests: " + row[0], Encoding.UTF8.GetBytes((string)row[1]));
        }

        foreach (var row in MalformedBatchTests.HostileBodies())
        {
            data.Add("HostileBodies: " + row[0], (byte[])row[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedForms))]
    public void TryParse_FormTheOldPathRefuses_NotAccepted(string why, byte[] body)
    {
        Assert.True(OldBatchPath.Parse(body) is null, $"{why}: the old path accepts it");

        Assert.False(BatchJsonParser.TryParse(body, OldBatchPath.Options, OldBatchPath.Now, out _), why);
    }

    [Fact]
    public void TryParse_MoreReportsThanTheCap_LeftToTheOldPath()
    {
        var options = new KarmaKit.Collector.Configuration.IngestOptions { MaxReportsPerBatch = 3 };
        var body = Encoding.UTF8.GetBytes(Batches.Json("b1", reports: 4));

        Assert.False(BatchJsonParser.TryParse(body, options, OldBatchPath.Now, out _));
        Assert.True(BatchJsonParser.TryParse(Encoding.UTF8.GetBytes(Batches.Json("b1", reports: 3)), options, OldBatchPath.Now, out _));
    }

    [Fact]
    public void TryParse_LastBeyondTheClockSkew_LeftToTheOldPath()
    {
        var body = Encoding.UTF8.GetBytes(Batch(Report(last: "\"2026-11-26T18:10:00.001Z\"")));
        var justInside = Encoding.UTF8.GetBytes(Batch(Report(last: "\"2026-11-26T18:10:00.000Z\"")));

        Assert.False(BatchJsonParser.TryParse(body, OldBatchPath.Options, OldBatchPath.Now, out _));
        Assert.True(BatchJsonParser.TryParse(justInside, OldBatchPath.Options, OldBatchPath.Now, out _));
    }

    [Fact]
    public void TryParse_LargeBatch_GrowsPastItsFirstBuffer()
    {
        var body = Encoding.UTF8.GetBytes(Batches.Json("b1", reports: 2000));

        Assert.True(BatchJsonParser.TryParse(body, OldBatchPath.Options, OldBatchPath.Now, out var sut));

        OldBatchPath.AssertSame(OldBatchPath.Parse(body)!.Value, sut, "2000 reports");
        Assert.Equal(Verb.Black, sut.Reports[1999].Verb);
    }
}
