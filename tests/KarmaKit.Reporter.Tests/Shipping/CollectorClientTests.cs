using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KarmaKit.Reporter.Shipping;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>The client over a handler double; the Retry-After timings run on a fake clock.</summary>
public class CollectorClientTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"reporter":"mx1.example.org","batch":"s1-1-1","reports":[]}""");

    [Theory]
    [InlineData("http://collector.test:8440", "http://collector.test:8440/v1/batches")]
    [InlineData("http://collector.test:8440/", "http://collector.test:8440/v1/batches")]
    [InlineData("https://example.org/karmakit", "https://example.org/karmakit/v1/batches")]
    [InlineData("https://example.org/karmakit/", "https://example.org/karmakit/v1/batches")]
    public void BatchesUri_WithOrWithoutTrailingSlash_AppendsV1Batches(string collectorUrl, string expected)
    {
        Assert.Equal(new Uri(expected), CollectorClient.BatchesUri(collectorUrl));
    }

    [Fact]
    public async Task SendAsync_Accepted_PostsJsonWithBearerToken()
    {
        using var handler = new ScriptedHandler((_, _) => ScriptedHandler.Accepted(3));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions("http://collector.test"), new HttpClient(handler));

        var result = await sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);

        Assert.Equal(new DeliveryResult(DeliveryKind.Delivered, Duplicate: false), result);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("http://collector.test/v1/batches"), request.Url);
        Assert.Equal("Bearer secret", request.Authorization);
        Assert.Equal("application/json", request.MediaType);
        Assert.Equal(Encoding.UTF8.GetString(Body), request.Body);
    }

    [Fact]
    public async Task SendAsync_DuplicateAnswer_DeliveredAsDuplicate()
    {
        using var handler = new ScriptedHandler((_, _) => ScriptedHandler.Accepted(3, duplicate: true));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler));

        var result = await sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);

        Assert.Equal(new DeliveryResult(DeliveryKind.Delivered, Duplicate: true), result);
    }

    [Fact]
    public async Task SendAsync_400_RefusedWithTheCollectorsError()
    {
        using var handler = new ScriptedHandler((_, _) => ScriptedHandler.Json(HttpStatusCode.BadRequest, """{"error":"reports[0].subject: not an IP address"}"""));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler));

        var result = await sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);

        Assert.Equal(DeliveryKind.Refused, result.Kind);
        Assert.Equal("HTTP 400 Bad Request: reports[0].subject: not an IP address", result.Reason);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task SendAsync_413WithoutBody_TooLarge()
    {
        using var handler = new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler));

        var result = await sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);

        Assert.Equal(new DeliveryResult(DeliveryKind.TooLarge, Reason: "HTTP 413 Request Entity Too Large"), result);
    }

    [Fact]
    public async Task SendAsync_429RetryAfterSeconds_SecondAttemptOnlyOnceThatTimeHasPassed()
    {
        var time = new FakeTimeProvider();
        using var handler = new ScriptedHandler((n, _) => n == 1 ? RetryAfter(HttpStatusCode.TooManyRequests, new(TimeSpan.FromSeconds(30))) : ScriptedHandler.Accepted(), time);
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler), timeProvider: time);
        var start = time.GetUtcNow();

        var task = sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);
        Assert.True(await handler.NextAttemptAsync(TimeSpan.FromSeconds(5)));
        time.Advance(TimeSpan.FromSeconds(29.999));
        Assert.False(await handler.NextAttemptAsync(TimeSpan.FromMilliseconds(50)));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await handler.NextAttemptAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(DeliveryKind.Delivered, (await task.WaitAsync(TimeSpan.FromSeconds(5))).Kind);
        Assert.Equal(start.AddSeconds(30), handler.Requests[1].At);
    }

    [Fact]
    public async Task SendAsync_503RetryAfterHttpDate_SecondAttemptAtThatDate()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 17, 0, 0, TimeSpan.Zero));
        var at = time.GetUtcNow().AddSeconds(45);
        using var handler = new ScriptedHandler((n, _) => n == 1 ? RetryAfter(HttpStatusCode.ServiceUnavailable, new(at)) : ScriptedHandler.Accepted(), time);
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler), timeProvider: time);

        var task = sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);
        Assert.True(await handler.NextAttemptAsync(TimeSpan.FromSeconds(5)));
        time.Advance(TimeSpan.FromSeconds(44));
        Assert.False(await handler.NextAttemptAsync(TimeSpan.FromMilliseconds(50)));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(DeliveryKind.Delivered, (await task.WaitAsync(TimeSpan.FromSeconds(5))).Kind);
        Assert.Equal(at, handler.Requests[1].At);
    }

    [Fact]
    public async Task SendAsync_RetriedResponses_Disposed()
    {
        var retried = new List<TrackedContent>();
        using var handler = new ScriptedHandler((n, _) =>
        {
            if (n > 3)
            {
                return ScriptedHandler.Accepted();
            }

            var content = new TrackedContent();
            retried.Add(content);
            return new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = content };
        });
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler));

        await sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);

        Assert.Equal(3, retried.Count);
        Assert.All(retried, c => Assert.True(c.Disposed));
    }

    [Fact]
    public async Task SendAsync_UnauthorizedThenAccepted_RetriesLogsErrorOnceAndRecoveryOnce()
    {
        using var handler = new ScriptedHandler((n, _) => n <= 4 ? new HttpResponseMessage(HttpStatusCode.Unauthorized) : ScriptedHandler.Accepted());
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler));

        var result = await sut.Client.SendAsync("s1-1-1", Body, CancellationToken.None);

        Assert.Equal(DeliveryKind.Delivered, result.Kind);
        Assert.Equal(5, handler.Requests.Count);
        Assert.Equal(1, sut.StatusLog.Count("CollectorUnauthorized"));
        Assert.Equal(LogLevel.Error, sut.StatusLog.Entries.Single(e => e.EventId.Name == "CollectorUnauthorized").Level);
        Assert.Equal(1, sut.StatusLog.Count("CollectorAuthorized"));
        Assert.Equal(0, sut.StatusLog.Count("CollectorUnreachable"));
        Assert.Equal(4, sut.ClientLog.Count("AttemptFailed"));
        Assert.Equal(ShippingState.Delivering, sut.Status.Current.State);
        Assert.Equal("HTTP 401 Unauthorized", sut.Status.Current.LastError);
    }

    [Fact]
    public async Task SendAsync_Unauthorized_StatusSaysSoWhileRetrying()
    {
        using var handler = new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.Forbidden));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler));
        using var cts = new CancellationTokenSource();

        var task = sut.Client.SendAsync("s1-1-1", Body, cts.Token);
        Assert.True(await handler.NextAttemptAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await handler.NextAttemptAsync(TimeSpan.FromSeconds(5)));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(ShippingState.Unauthorized, sut.Status.Current.State);
        Assert.Equal(1, sut.StatusLog.Count("CollectorUnauthorized"));
    }

    [Fact]
    public async Task SendAsync_CancelledWhileWaitingOnRetryAfter_ThrowsPromptly()
    {
        using var handler = new ScriptedHandler((_, _) => RetryAfter(HttpStatusCode.ServiceUnavailable, new(TimeSpan.FromMinutes(30))));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler));
        using var cts = new CancellationTokenSource();

        var task = sut.Client.SendAsync("s1-1-1", Body, cts.Token);
        Assert.True(await handler.NextAttemptAsync(TimeSpan.FromSeconds(5)));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(handler.Requests);
        Assert.Equal(ShippingState.Unreachable, sut.Status.Current.State);
    }

    private static HttpResponseMessage RetryAfter(HttpStatusCode status, RetryConditionHeaderValue retryAfter)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    private sealed class TrackedContent : StringContent
    {
        public TrackedContent()
            : base("busy")
        {
        }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
