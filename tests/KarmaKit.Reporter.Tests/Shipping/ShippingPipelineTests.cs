using System.Net;
using System.Net.Http.Headers;
using KarmaKit.Reporter.Shipping;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace KarmaKit.Reporter.Tests.Shipping;

public partial class ShippingPipelineTests
{
    [Theory]
    [InlineData(200, false)]
    [InlineData(204, false)]
    [InlineData(400, false)]
    [InlineData(413, false)]
    [InlineData(302, true)]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(404, true)]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    public void ShouldRetry_Status_RetriesAllButSuccess400And413(int status, bool expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.Equal(expected, ShippingPipeline.ShouldRetry(Outcome.FromResult(response)));
    }

    [Fact]
    public void ShouldRetry_TransientExceptions_Retried()
    {
        Assert.True(ShippingPipeline.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("refused"))));
        Assert.True(ShippingPipeline.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException())));
        Assert.True(ShippingPipeline.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException())));
    }

    [Fact]
    public void ShouldRetry_CancellationOrBug_NotRetried()
    {
        Assert.False(ShippingPipeline.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new OperationCanceledException())));
        Assert.False(ShippingPipeline.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new InvalidOperationException())));
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void IsCollectorFailure_Status_OnlyServerTrouble(int status, bool expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.Equal(expected, ShippingPipeline.IsCollectorFailure(Outcome.FromResult(response)));
    }

    [Fact]
    public void ServerDelay_RetryAfterSeconds_ThatDelay()
    {
        using var response = WithRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)));

        Assert.Equal(TimeSpan.FromSeconds(30), ShippingPipeline.ServerDelay(Outcome.FromResult(response), new FakeTimeProvider()));
    }

    [Fact]
    public void ServerDelay_RetryAfterDate_TimeUntilThatDate()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 17, 0, 0, TimeSpan.Zero));
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "Thu, 26 Nov 2026 17:01:15 GMT");

        Assert.Equal(TimeSpan.FromSeconds(75), ShippingPipeline.ServerDelay(Outcome.FromResult(response), time));
    }

    [Fact]
    public void ServerDelay_RetryAfterDateInThePastOrZero_Backoff()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 17, 0, 0, TimeSpan.Zero));
        using var past = WithRetryAfter(new RetryConditionHeaderValue(time.GetUtcNow().AddMinutes(-1)));
        using var zero = WithRetryAfter(new RetryConditionHeaderValue(TimeSpan.Zero));
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Null(ShippingPipeline.ServerDelay(Outcome.FromResult(past), time));
        Assert.Null(ShippingPipeline.ServerDelay(Outcome.FromResult(zero), time));
        Assert.Null(ShippingPipeline.ServerDelay(Outcome.FromResult(none), time));
        Assert.Null(ShippingPipeline.ServerDelay(Outcome.FromException<HttpResponseMessage>(new HttpRequestException()), time));
    }

    [Fact]
    public void ServerDelay_HugeRetryAfter_CappedAtOneHour()
    {
        using var response = WithRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromDays(3)));

        Assert.Equal(TimeSpan.FromHours(1), ShippingPipeline.ServerDelay(Outcome.FromResult(response), new FakeTimeProvider()));
    }

    [Fact]
    public void ServerDelay_OpenCircuit_RemainingBreakTime()
    {
        var outcome = Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException(TimeSpan.FromSeconds(12)));

        Assert.Equal(TimeSpan.FromSeconds(12), ShippingPipeline.ServerDelay(outcome, new FakeTimeProvider()));
    }

    private static HttpResponseMessage WithRetryAfter(RetryConditionHeaderValue value)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = value;
        return response;
    }
}
