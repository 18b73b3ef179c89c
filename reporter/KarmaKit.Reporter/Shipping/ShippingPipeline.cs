using System.Net;
using KarmaKit.Reporter.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace KarmaKit.Reporter.Shipping;

/// <summary>
/// The one resilience pipeline every POST goes through (DESIGN.md §2), outermost first:
/// <list type="number">
/// <item>Retry without limit: exponential backoff from <see cref="ShippingOptions.RetryDelay"/> with jitter,
/// capped at <see cref="ShippingOptions.MaxRetryDelay"/>; a server's <c>Retry-After</c> (seconds or HTTP date) or an
/// open circuit's remaining break time replaces the backoff, capped at <see cref="MaxServerDelay"/>.</item>
/// <item>Circuit breaker over collector failures (transport errors, timeouts, 5xx, 408, 429), per <c>Break*</c>.</item>
/// <item>Timeout of one attempt, <see cref="ShippingOptions.AttemptTimeout"/>.</item>
/// </list>
/// Only 2xx, 400 and 413 leave the pipeline; the shipper decides what they mean.
/// </summary>
internal static class ShippingPipeline
{
    /// <summary>The longest wait a server can ask for; a bad Retry-After must not park the spool for days.</summary>
    public static readonly TimeSpan MaxServerDelay = TimeSpan.FromHours(1);

    public static ResiliencePipeline<HttpResponseMessage> Create(
        ShippingOptions options,
        TimeProvider timeProvider,
        Func<OnRetryArguments<HttpResponseMessage>, ValueTask>? onRetry = null,
        Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);

        var retry = new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            MaxDelay = options.MaxRetryDelay,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
            DelayGenerator = args => ValueTask.FromResult(ServerDelay(args.Outcome, timeProvider)),
            OnRetry = onRetry,
        };
        if (randomizer is not null)
        {
            retry.Randomizer = randomizer;
        }

        var breaker = new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.BreakFailureRatio,
            SamplingDuration = options.BreakSamplingDuration,
            MinimumThroughput = options.BreakMinimumThroughput,
            BreakDuration = options.BreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsCollectorFailure(args.Outcome)),
        };

        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(retry)
            .AddCircuitBreaker(breaker)
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    /// <summary>Everything is retried except success, 400 (malformed: dead letter) and 413 (too large: split).</summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => outcome.Result is { } response && !IsFinal(response.StatusCode),
        HttpRequestException or TimeoutRejectedException or BrokenCircuitException => true,
        _ => false,
    };

    /// <summary>An answer the shipper acts on instead of retrying.</summary>
    internal static bool IsFinal(HttpStatusCode status) =>
        (int)status is >= 200 and <= 299 || status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge;

    /// <summary>
    /// What says the collector (or the way to it) is unwell, as opposed to a configuration problem
    /// such as 401 or 404 that a pause would not cure.
    /// </summary>
    internal static bool IsCollectorFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => outcome.Result is { } response
            && ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests),
        HttpRequestException or TimeoutRejectedException => true,
        _ => false,
    };

    /// <summary>The delay the server or the open circuit asks for, or null for the backoff.</summary>
    internal static TimeSpan? ServerDelay(Outcome<HttpResponseMessage> outcome, TimeProvider timeProvider)
    {
        TimeSpan? delay = null;
        if (outcome.Exception is BrokenCircuitException broken)
        {
            delay = broken.RetryAfter;
        }
        else if (outcome.Result?.Headers.RetryAfter is { } retryAfter)
        {
            delay = retryAfter.Delta ?? (retryAfter.Date - timeProvider.GetUtcNow());
        }

        if (delay is not { } value || value <= TimeSpan.Zero)
        {
            return null;
        }

        return value < MaxServerDelay ? value : MaxServerDelay;
    }
}
