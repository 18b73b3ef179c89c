using System.Net;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Collector.Tests.Ingest;

public sealed class BatchEndpointTests : TempDirectory
{
    [Fact]
    public async Task Post_ValidBatch_AppendsEveryReportAndAnswers200()
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        var answer = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1", reports: 3)));

        Assert.Equal(3, answer.Accepted);
        Assert.False(answer.Duplicate);
        var lines = sut.LogLines();
        Assert.Equal(3, lines.Length);
        Assert.Matches(
            @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z mx1\.example\.org black 192\.0\.2\.2 count=3 first=2026-11-26T17:18:58\.123Z last=2026-11-26T17:19:03\.004Z batch=b1 size=3 reason=""virus Eicar""$",
            lines[0]);
    }

    [Fact]
    public async Task Post_SameBatchTwice_SecondIsDuplicateAndAppendsNothing()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1", reports: 2)));

        var again = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1", reports: 2)));

        Assert.Equal(new BatchAccepted { Accepted = 2, Duplicate = true }, again);
        Assert.Equal(2, sut.LogLines().Length);
    }

    [Fact]
    public async Task Post_SameBatchAfterRestart_IsDuplicate()
    {
        await using (var first = await TestCollector.StartAsync(Dir))
        {
            await Batches.AcceptedAsync(await first.PostAsync(Batches.Json("survives", reports: 2)));
        }

        await using var sut = await TestCollector.StartAsync(Dir);
        var again = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("survives", reports: 2)));

        Assert.True(again.Duplicate);
        Assert.Equal(2, again.Accepted);
        Assert.Equal(2, sut.LogLines().Length);
    }

    [Fact]
    public async Task Post_SameBatchIdFromAnotherReporter_IsNotADuplicate()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1")));

        var other = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1", reporter: TestCollector.Reporter2), TestCollector.Token2));

        Assert.False(other.Duplicate);
        Assert.Equal(2, sut.LogLines().Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0123456789")]
    [InlineData("")]
    public async Task Post_MissingOrWrongToken_401AndNothingAppended(string? token)
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        var response = await sut.PostAsync(Batches.Json("b1"), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Post_BasicAuthentication_401()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches") { Content = new StringContent(Batches.Json("b1")) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", TestCollector.Token1);

        var response = await sut.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Post_HashedTokenConfigured_Accepted()
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        var answer = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1", reporter: TestCollector.Reporter2), TestCollector.Token2));

        Assert.Equal(1, answer.Accepted);
        Assert.Contains(" mx2.example.org black ", Assert.Single(sut.LogLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_AsAnotherReporter_403AndNothingAppended()
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        var response = await sut.PostAsync(Batches.Json("b1", reporter: TestCollector.Reporter2), TestCollector.Token1);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Post_OverBodyCap_413AndNothingAppended()
    {
        await using var sut = await TestCollector.StartAsync(Dir, "--Collector:Ingest:MaxBodyBytes=2048");

        var response = await sut.PostAsync(Batches.Json("big", reports: 40));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("2048", await Batches.RefusalAsync(response), StringComparison.Ordinal);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Post_OverReportCap_413AndNothingAppended()
    {
        await using var sut = await TestCollector.StartAsync(Dir, "--Collector:Ingest:MaxReportsPerBatch=2");

        var response = await sut.PostAsync(Batches.Json("many", reports: 3));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Post_BucketEmpty_429WithRetryAfter()
    {
        await using var sut = await TestCollector.StartAsync(Dir,
            "--Collector:Ingest:RateLimit:Burst=2", "--Collector:Ingest:RateLimit:BatchesPerPeriod=1", "--Collector:Ingest:RateLimit:Period=01:00:00");
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1")));
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b2")));

        var response = await sut.PostAsync(Batches.Json("b3"));
        var otherReporter = await sut.PostAsync(Batches.Json("b3", reporter: TestCollector.Reporter2), TestCollector.Token2);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, otherReporter.StatusCode);
        Assert.Equal(3, sut.LogLines().Length);
    }

    [Fact]
    public async Task Post_ManyConcurrentBatches_AllDurableWithFewerSyncsThanBatches()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        const int Count = 100;

        var answers = await Task.WhenAll(Enumerable.Range(0, Count).Select(async i =>
            await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json($"c{i}", reports: 5)))));

        Assert.All(answers, a => Assert.False(a.Duplicate));
        var writer = await sut.WriterAsync();
        Assert.Equal(Count, writer.BatchesAppended);
        Assert.True(writer.SyncCount < Count, $"{writer.SyncCount} syncs for {Count} batches");
        Assert.Equal(Count * 5, sut.LogLines().Length);
    }

    [Fact]
    public async Task Post_AfterRotationAndReopen_WritesToTheNewFile()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("before")));
        File.Move(sut.LogPath, sut.LogPath + ".1");

        await (await sut.WriterAsync()).ReopenAsync();
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("after")));

        Assert.Contains("batch=before ", Assert.Single(File.ReadAllLines(sut.LogPath + ".1")), StringComparison.Ordinal);
        Assert.Contains("batch=after ", Assert.Single(sut.LogLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_RotatedBatchAfterRestart_IsStillDuplicate()
    {
        await using (var first = await TestCollector.StartAsync(Dir))
        {
            await Batches.AcceptedAsync(await first.PostAsync(Batches.Json("old")));
            File.Move(first.LogPath, first.LogPath + ".1");
            await (await first.WriterAsync()).ReopenAsync();
        }

        await using var sut = await TestCollector.StartAsync(Dir);
        var again = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("old")));

        Assert.True(again.Duplicate);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Start_TornTailFromACrash_IsSetAsideAndTheBatchCanBeResent()
    {
        Directory.CreateDirectory(Path.Combine(Dir, "log"));
        var log = Path.Combine(Dir, "log", "karma.log");
        File.WriteAllText(log,
            "2026-11-26T17:19:03.004Z mx1.example.org black 192.0.2.1 count=1 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch=cut size=2\n"
            + "2026-11-26T17:19:03.004Z mx1.example.org black 192.0");

        await using var sut = await TestCollector.StartAsync(Dir);
        var answer = await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("cut", reports: 2)));

        Assert.False(answer.Duplicate);
        Assert.Equal(2, sut.LogLines().Length);
        Assert.Single(Directory.GetFiles(Path.Combine(Dir, "log"), "karma.log.torn-*"));
    }

    [Fact]
    public async Task Post_HeadersOverCap_431AndNothingAppended()
    {
        await using var sut = await TestCollector.StartAsync(Dir, "--Collector:Ingest:MaxHeaderBytes=4096");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches") { Content = new StringContent(Batches.Json("b1")) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestCollector.Token1);
        request.Headers.Add("X-Padding", new string('x', 8192));

        var response = await sut.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Start_SecondCollectorOnTheSameData_Fails()
    {
        await using var first = await TestCollector.StartAsync(Dir);

        var ex = await Assert.ThrowsAsync<IOException>(() => TestCollector.StartAsync(Dir));

        Assert.Contains("another karmakit-collector", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_Running_Returns200()
    {
        await using var sut = await TestCollector.StartAsync(Dir);

        var response = await sut.Client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_ValidBodiesTheFastParserLeaves_AcceptedByTheSlowPath()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        var escapedVerb = Batches.Json("escaped").Replace("\"verb\":\"black\"", "\"verb\":\"bl\\u0061ck\"", StringComparison.Ordinal);
        using var bom = new HttpRequestMessage(HttpMethod.Post, "v1/batches")
        {
            Content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Batches.Json("bom"))]),
        };
        bom.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestCollector.Token1);

        await Batches.AcceptedAsync(await sut.PostAsync(escapedVerb));
        await Batches.AcceptedAsync(await sut.Client.SendAsync(bom));

        var lines = sut.LogLines();
        Assert.Equal(2, lines.Length);
        Assert.Contains(" black 192.0.2.2 count=3 ", lines[0], StringComparison.Ordinal);
        Assert.Contains("batch=bom ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheCap_413AndNothingAppended()
    {
        await using var sut = await TestCollector.StartAsync(Dir, "--Collector:Ingest:MaxBodyBytes=4096");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Batches.Json("big", reports: 100)))),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestCollector.Token1);
        request.Headers.TransferEncodingChunked = true;

        var response = await sut.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request body larger than 4096 bytes", await Batches.RefusalAsync(response));
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Post_ChunkedBodyLargerThanTheFirstBuffer_Accepted()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Batches.Json("chunked", reports: 1000)))),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestCollector.Token1);
        request.Headers.TransferEncodingChunked = true;

        var answer = await Batches.AcceptedAsync(await sut.Client.SendAsync(request));

        Assert.Equal(1000, answer.Accepted);
        Assert.Equal(1000, sut.LogLines().Length);
    }
}
