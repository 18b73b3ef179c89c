using System.Net;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Shipping;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>
/// Backoff timing on a fake clock: the pipeline alone with a callback standing in for HTTP (the wire is
/// covered against a real Kestrel). Polly runs each attempt inline in <see cref="FakeTimeProvider.Advance"/>,
/// so what each attempt records as "now" is exactly when it was made.
/// </summary>
public partial class ShippingPipelineTests
{
    [Fact]
    public async Task Execute_503WithoutRetryAfter_ExponentialBackoffCappedAtMaxRetryDelay()
    {
        var time = new FakeTimeProvider();
        var options = new ShippingOptions { RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(30), BreakMinimumThroughput = int.MaxValue };
        using var run = new PipelineRun(options, time, failures: 10, HttpStatusCode.ServiceUnavailable);

        await run.DriveAsync();

        Assert.Equal(10, run.Delays.Count);
        for (var i = 0; i < run.Delays.Count; i++)
        {
            // Waited the planned delay (Task.Delay counts whole milliseconds).
            Assert.InRange(run.Attempts[i + 1] - run.Attempts[i], run.Delays[i] - TimeSpan.FromMilliseconds(1), run.Delays[i]);
        }

        Assert.InRange(run.Delays[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5));
        for (var i = 1; run.Delays[i] < options.MaxRetryDelay; i++)
        {
            Assert.True(run.Delays[i] > run.Delays[i - 1], $"delay {i} ({run.Delays[i]}) did not grow");
            if (i >= 2)
            {
                Assert.True(run.Delays[i] >= run.Delays[i - 1] * 1.8, $"delay {i} ({run.Delays[i]}) did not about double");
            }
        }

        Assert.All(run.Delays, d => Assert.True(d <= options.MaxRetryDelay));
        Assert.Equal(options.MaxRetryDelay, run.Delays[^1]);
        Assert.Equal(options.MaxRetryDelay, run.Delays[^2]);
    }

    [Fact]
    public async Task Execute_CollectorKeepsFailing_CircuitOpensAndNoCallUntilBreakEnds()
    {
        var time = new FakeTimeProvider();
        var options = new ShippingOptions
        {
            RetryDelay = TimeSpan.FromSeconds(1),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
            BreakMinimumThroughput = 2,
            BreakFailureRatio = 0.5,
            BreakSamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(15),
        };
        using var run = new PipelineRun(options, time, failures: 3, HttpStatusCode.InternalServerError);

        await run.DriveAsync();

        // Calls 1 and 2 fail and open the circuit; call 3 waits out the break; call 4 succeeds.
        Assert.Equal(4, run.Attempts.Count);
        Assert.True(run.Attempts[2] - run.Attempts[1] >= options.BreakDuration, $"{run.Attempts[2] - run.Attempts[1]}");
        Assert.Contains(run.Outcomes, o => o is BrokenCircuitException);
        Assert.True(run.Attempts[2] - run.Attempts[1] < options.BreakDuration + options.MaxRetryDelay * 2);
    }

    [Fact]
    public async Task Execute_CancelledDuringBackoff_StopsPromptly()
    {
        var time = new FakeTimeProvider();
        var pipeline = ShippingPipeline.Create(new ShippingOptions { BreakMinimumThroughput = int.MaxValue }, time);
        using var cts = new CancellationTokenSource();
        var calls = 0;

        var task = pipeline.ExecuteAsync(
            _ =>
            {
                calls++;
                return ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            },
            cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, calls);
    }

    /// <summary>Runs the pipeline against a callback that fails <c>failures</c> times, advancing the clock by each planned delay.</summary>
    private sealed class PipelineRun : IDisposable
    {
        private readonly FakeTimeProvider _time;
        private readonly SemaphoreSlim _planned = new(0);
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
        private readonly int _failures;
        private readonly HttpStatusCode _failure;

        public PipelineRun(ShippingOptions options, FakeTimeProvider time, int failures, HttpStatusCode failure)
        {
            _time = time;
            _failures = failures;
            _failure = failure;
            _pipeline = ShippingPipeline.Create(options, time, OnRetry, randomizer: () => 0.5);
        }

        public List<DateTimeOffset> Attempts { get; } = [];

        public List<TimeSpan> Delays { get; } = [];

        public List<Exception?> Outcomes { get; } = [];

        public async Task DriveAsync()
        {
            var task = _pipeline.ExecuteAsync(
                _ =>
                {
                    Attempts.Add(_time.GetUtcNow());
                    return ValueTask.FromResult(new HttpResponseMessage(Attempts.Count <= _failures ? _failure : HttpStatusCode.OK));
                },
                CancellationToken.None).AsTask();
            for (var seen = 0; ; seen++)
            {
                var planned = _planned.WaitAsync(TimeSpan.FromSeconds(5));
                if (await Task.WhenAny(planned, task) == task)
                {
                    break;
                }

                Assert.True(await planned, "no retry was planned");
                var before = Attempts.Count;
                _time.Advance(Delays[seen] - TimeSpan.FromMilliseconds(1));
                Assert.Equal(before, Attempts.Count); // never before the planned delay
                _time.Advance(TimeSpan.FromMilliseconds(1));
            }

            using var response = await task;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        public void Dispose() => _planned.Dispose();

        private ValueTask OnRetry(Polly.Retry.OnRetryArguments<HttpResponseMessage> args)
        {
            Delays.Add(args.RetryDelay);
            Outcomes.Add(args.Outcome.Exception);
            _planned.Release();
            return default;
        }
    }
}
