using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace KarmaKit.Reporter.Shipping;

internal enum ShippingState
{
    /// <summary>The shipper has not looked at the spool yet.</summary>
    Starting,

    /// <summary>Everything is delivered; waiting for new reports.</summary>
    Waiting,

    /// <summary>A batch is on its way.</summary>
    Delivering,

    /// <summary>The collector cannot be reached, times out or fails (5xx, 429, other unexpected answers).</summary>
    Unreachable,

    /// <summary>The collector refuses this reporter (401, 403).</summary>
    Unauthorized,
}

/// <summary>An immutable picture of the shipper for status output.</summary>
internal sealed record ShippingSnapshot(
    ShippingState State,
    string? LastError,
    DateTimeOffset? LastDelivery,
    long DeliveredBatches,
    long DeadLetteredBatches);

/// <summary>
/// Tracks the shipper's state and logs each change of the collector's state once: unreachable (Warning),
/// unauthorized (Error), and back again (Information). Readers get a consistent <see cref="Current"/>.
/// </summary>
internal sealed class ShippingStatus
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Uri _batchesUrl;
    private readonly bool _hasToken;
    private ShippingSnapshot _current = new(ShippingState.Starting, null, null, 0, 0);
    private long _failingSince;

    public ShippingStatus(Uri batchesUrl, bool hasToken, TimeProvider timeProvider, ILogger<ShippingStatus> logger)
    {
        _batchesUrl = batchesUrl;
        _hasToken = hasToken;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public ShippingSnapshot Current => Volatile.Read(ref _current);

    public bool IsFailing => Current.State is ShippingState.Unreachable or ShippingState.Unauthorized;

    public void Waiting() => SetIfHealthy(ShippingState.Waiting);

    public void Delivering() => SetIfHealthy(ShippingState.Delivering);

    /// <summary>An attempt failed and will be retried; logs when this changes the collector's state.</summary>
    public void AttemptFailed(Outcome<HttpResponseMessage> outcome)
    {
        var error = Describe(outcome);
        lock (_lock)
        {
            var previous = _current.State;
            var state = outcome.Exception is BrokenCircuitException && IsFailing
                ? previous // the open circuit only repeats the failure that opened it
                : outcome.Result?.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? ShippingState.Unauthorized
                    : ShippingState.Unreachable;
            if (previous is not (ShippingState.Unreachable or ShippingState.Unauthorized))
            {
                _failingSince = _timeProvider.GetTimestamp();
            }

            Volatile.Write(ref _current, _current with { State = state, LastError = error });
            if (state == previous)
            {
                return;
            }

            if (state == ShippingState.Unauthorized)
            {
                _logger.CollectorUnauthorized(_batchesUrl, error, _hasToken);
            }
            else
            {
                _logger.CollectorUnreachable(_batchesUrl, error);
            }
        }
    }

    /// <summary>The collector gave an answer the shipper acts on (2xx, 400, 413): it is reachable and accepts us.</summary>
    public void Answered()
    {
        lock (_lock)
        {
            var previous = _current.State;
            if (previous is not (ShippingState.Unreachable or ShippingState.Unauthorized))
            {
                return;
            }

            Volatile.Write(ref _current, _current with { State = ShippingState.Delivering });
            var outage = _timeProvider.GetElapsedTime(_failingSince);
            if (previous == ShippingState.Unauthorized)
            {
                _logger.CollectorAuthorized(_batchesUrl, outage);
            }
            else
            {
                _logger.CollectorReachable(_batchesUrl, outage);
            }
        }
    }

    public void Delivered()
    {
        lock (_lock)
        {
            Volatile.Write(ref _current, _current with { LastDelivery = _timeProvider.GetUtcNow(), DeliveredBatches = _current.DeliveredBatches + 1 });
        }
    }

    public void DeadLettered()
    {
        lock (_lock)
        {
            Volatile.Write(ref _current, _current with { DeadLetteredBatches = _current.DeadLetteredBatches + 1 });
        }
    }

    /// <summary>One line saying what went wrong with an attempt.</summary>
    internal static string Describe(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null when outcome.Result is { } response => $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}",
        null => "no answer",
        TimeoutRejectedException timeout => $"no answer within {timeout.Timeout}",
        BrokenCircuitException => "circuit open after repeated failures",
        HttpRequestException { InnerException: { } inner } http when !http.Message.Contains(inner.Message, StringComparison.Ordinal)
            => $"{http.Message} ({inner.Message})",
        var exception => exception.Message,
    };

    private void SetIfHealthy(ShippingState state)
    {
        lock (_lock)
        {
            if (!IsFailing)
            {
                Volatile.Write(ref _current, _current with { State = state });
            }
        }
    }
}
