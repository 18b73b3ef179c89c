using System.Net;
using System.Text;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Ingest;

/// <summary>Every refusal appends nothing, and one bad report refuses the whole batch; the collector lives on.</summary>
public sealed class MalformedBatchTests : TempDirectory
{
    private const string Good = """{"verb":"black","subject":"192.0.2.1","reason":"ok","first":"2026-11-26T17:18:58.123Z","last":"2026-11-26T17:19:03.004Z","count":1}""";

    private static string Batch(string report, string id = "b1") =>
        $$"""{"reporter":"mx1.example.org","batch":"{{id}}","reports":[{{Good}},{{report}}]}""";

    private static string Report(string verb = "black", string subject = "192.0.2.9", string reason = "\"r\"", string first = "\"2026-11-26T17:18:58.123Z\"", string last = "\"2026-11-26T17:19:03.004Z\"", string count = "1") =>
        $$"""{"verb":"{{verb}}","subject":"{{subject}}","reason":{{reason}},"first":{{first}},"last":{{last}},"count":{{count}}}""";

    public static TheoryData<string, string> BadBatches() => new()
    {
        { "unknown verb", Batch(Report(verb: "grey")) },
        { "empty verb", Batch(Report(verb: "")) },
        { "invalid subject", Batch(Report(subject: "192.0.2.300")) },
        { "host name subject", Batch(Report(subject: "mail.example.org")) },
        { "unspecified subject", Batch(Report(subject: "0.0.0.0")) },
        { "octal-looking subject", Batch(Report(subject: "010.0.0.1")) },
        { "reason over 200 bytes", Batch(Report(reason: $"\"{new string('é', 101)}\"")) },
        { "reason with newline", Batch(Report(reason: "\"a\\nb\"")) },
        { "reason with lone surrogate", Batch(Report(reason: "\"\\ud800\"")) },
        { "count zero", Batch(Report(count: "0")) },
        { "count negative", Batch(Report(count: "-3")) },
        { "time without zone", Batch(Report(first: "\"2026-11-26T17:18:58\"")) },
        { "first after last", Batch(Report(first: "\"2026-11-26T18:00:00Z\"")) },
        { "last in the future", Batch(Report(last: "\"2099-01-01T00:00:00Z\"")) },
        { "first before 2000", Batch(Report(first: "\"1999-12-31T23:59:59Z\"")) },
        { "null verb", Batch("""{"verb":null,"subject":"192.0.2.1","first":"2026-11-26T17:18:58.123Z","last":"2026-11-26T17:19:03.004Z","count":1}""") },
        { "null report", Batch("null") },
        { "empty batch id", Batch(Report(), id: "") },
        { "batch id with space", Batch(Report(), id: "a b") },
        { "over-long batch id", Batch(Report(), id: new string('x', 129)) },
        { "no reports", """{"reporter":"mx1.example.org","batch":"b1","reports":[]}""" },
        { "null reports", """{"reporter":"mx1.example.org","batch":"b1","reports":null}""" },
        { "null reporter", $$"""{"reporter":null,"batch":"b1","reports":[{{Good}}]}""" },
        { "missing batch", $$"""{"reporter":"mx1.example.org","reports":[{{Good}}]}""" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task Post_BadBatch_400WithReasonAndNothingAppended(string why, string body)
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        var response = await sut.PostAsync(body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode}");
        Assert.False(string.IsNullOrEmpty(await Batches.RefusalAsync(response)), why);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Post_BadBatch_ReasonNamesTheReport()
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        var response = await sut.PostAsync(Batch(Report(verb: "grey")));

        Assert.Equal("reports[1]: unknown verb 'grey' (expected black or white)", await Batches.RefusalAsync(response));
    }

    public static TheoryData<string, byte[]> HostileBodies()
    {
        var deep = new StringBuilder();
        deep.Append(string.Concat(Enumerable.Repeat("[", 10_000))).Append(string.Concat(Enumerable.Repeat("]", 10_000)));
        var deepObject = string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000);
        var valid = Batches.Json("hostile", reports: 3);
        var data = new TheoryData<string, byte[]>
        {
            { "empty body", [] },
            { "white space", "   \n"u8.ToArray() },
            { "json null", "null"u8.ToArray() },
            { "number", "42"u8.ToArray() },
            { "string", "\"batch\""u8.ToArray() },
            { "array", "[]"u8.ToArray() },
            { "empty object", "{}"u8.ToArray() },
            { "deeply nested arrays", Encoding.ASCII.GetBytes(deep.ToString()) },
            { "deeply nested objects", Encoding.ASCII.GetBytes(deepObject) },
            { "nesting inside a report", Encoding.ASCII.GetBytes(Batch("{\"verb\":" + deepObject + "}")) },
            { "truncated", Encoding.UTF8.GetBytes(valid[..(valid.Length / 2)]) },
            { "truncated by one", Encoding.UTF8.GetBytes(valid[..^1]) },
            { "trailing garbage", Encoding.UTF8.GetBytes(valid + "}") },
            { "two documents", Encoding.UTF8.GetBytes(valid + valid) },
            { "reports is an object", """{"reporter":"mx1.example.org","batch":"b","reports":{"verb":"black"}}"""u8.ToArray() },
            { "count is a string", Encoding.UTF8.GetBytes(Batch(Report(count: "\"3\""))) },
            { "count is huge", Encoding.UTF8.GetBytes(Batch(Report(count: "99999999999999999999"))) },
            { "count is fractional", Encoding.UTF8.GetBytes(Batch(Report(count: "1.5"))) },
            { "time is a number", Encoding.UTF8.GetBytes(Batch(Report(first: "1700000000"))) },
            { "time is nonsense", Encoding.UTF8.GetBytes(Batch(Report(first: "\"yesterday\""))) },
            { "verb is an array", Encoding.UTF8.GetBytes(Batch("""{"verb":["black"],"subject":"192.0.2.1","first":"2026-11-26T17:18:58.123Z","last":"2026-11-26T17:19:03.004Z","count":1}""")) },
            { "invalid UTF-8", [.. "{\"reporter\":\"mx1.example.org\",\"batch\":\"b"u8, 0xFF, 0xFE, .. "\",\"reports\":[]}"u8] },
            { "binary", [.. Enumerable.Range(0, 512).Select(i => (byte)(i * 37))] },
            { "comment", Encoding.UTF8.GetBytes("/* hi */" + valid) },
            { "single quotes", Encoding.UTF8.GetBytes(valid.Replace('"', '\'')) },
            { "NUL in string", Encoding.UTF8.GetBytes(Batch(Report(reason: "\"a\\u0000b\""))) },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Post_HostileBody_RefusedNothingAppendedAndStillServing(string why, byte[] body)
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches") { Content = new ByteArrayContent(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestCollector.Token1);

        var response = await sut.Client.SendAsync(request);

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{why}: {(int)response.StatusCode}");
        Assert.Empty(sut.LogLines());
        Assert.Equal(HttpStatusCode.OK, (await sut.Client.GetAsync("healthz")).StatusCode);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("after-" + why.Replace(' ', '-'))));
    }
}
