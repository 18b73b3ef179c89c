using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KarmaKit.Protocol.Batches;
using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace KarmaKit.Reporter.Shipping;

internal enum DeliveryKind
{
    /// <summary>2xx: the collector holds every report of the batch (now or from an earlier attempt).</summary>
    Delivered,

    /// <summary>400: the collector will never take this batch.</summary>
    Refused,

    /// <summary>413: the batch is too large for the collector.</summary>
    TooLarge,
}

/// <summary>The collector's final word on one batch.</summary>
internal readonly record struct DeliveryResult(DeliveryKind Kind, bool Duplicate = false, string? Reason = null);

/// <summary>
/// Posts one batch body to <c>{CollectorUrl}/v1/batches</c> with the bearer token, through
/// <see cref="ShippingPipeline"/>, until the collector gives a final answer or shutdown cancels it.
/// </summary>
internal sealed class CollectorClient : IDisposable
{
    private static readonly ResiliencePropertyKey<string> BatchIdKey = new("KarmaKit.BatchId");
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ShippingStatus _status;
    private readonly ILogger _logger;

    public CollectorClient(
        HttpClient http,
        ReporterOptions options,
        TimeProvider timeProvider,
        ShippingStatus status,
        ILogger<CollectorClient> logger,
        Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _status = status;
        _logger = logger;
        BatchesUrl = BatchesUri(options.CollectorUrl);
        _authorization = string.IsNullOrEmpty(options.Token) ? null : new AuthenticationHeaderValue("Bearer", options.Token);
        _pipeline = ShippingPipeline.Create(options.Shipping, timeProvider, OnRetryAsync, randomizer);
    }

    public Uri BatchesUrl { get; }

    /// <summary><c>{CollectorUrl}/v1/batches</c>, whether or not the base URL ends with a slash.</summary>
    public static Uri BatchesUri(string collectorUrl)
    {
        var baseUrl = collectorUrl.EndsWith('/') ? collectorUrl : collectorUrl + "/";
        return new Uri(new Uri(baseUrl, UriKind.Absolute), "v1/batches");
    }

    /// <summary>
    /// Sends the batch until the collector answers 2xx, 400 or 413; everything else is retried without limit.
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task<DeliveryResult> SendAsync(string batchId, byte[] body, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        HttpResponseMessage response;
        try
        {
            context.Properties.Set(BatchIdKey, batchId);
            response = await _pipeline.ExecuteAsync(
                static (ctx, state) => state.Client.PostOnceAsync(state.Body, ctx.CancellationToken),
                context,
                (Client: this, Body: body));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            // A retry cancelled by shutdown hands back the last failed answer: that is no verdict.
            cancellationToken.ThrowIfCancellationRequested();
            if (!ShippingPipeline.IsFinal(response.StatusCode))
            {
                throw new InvalidOperationException($"the pipeline returned a retryable answer: HTTP {(int)response.StatusCode}");
            }

            _status.Answered();
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.BadRequest => new DeliveryResult(DeliveryKind.Refused, Reason: RefusalReason(response, answer)),
                HttpStatusCode.RequestEntityTooLarge => new DeliveryResult(DeliveryKind.TooLarge, Reason: RefusalReason(response, answer)),
                _ => new DeliveryResult(DeliveryKind.Delivered, Duplicate: TryRead(answer, ProtocolJsonContext.Default.BatchAccepted)?.Duplicate ?? false),
            };
        }
    }

    public void Dispose() => _http.Dispose();

    private async ValueTask<HttpResponseMessage> PostOnceAsync(byte[] body, CancellationToken cancellationToken)
    {
        // A request message cannot be sent twice: every attempt builds its own.
        using var request = new HttpRequestMessage(HttpMethod.Post, BatchesUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = _authorization;
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private ValueTask OnRetryAsync(OnRetryArguments<HttpResponseMessage> args)
    {
        _status.AttemptFailed(args.Outcome);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var batchId = args.Context.Properties.GetValue(BatchIdKey, "?");
            _logger.AttemptFailed(args.AttemptNumber + 1, batchId, ShippingStatus.Describe(args.Outcome), args.RetryDelay);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The collector's <c>error</c> text, else the status line and the start of the body.</summary>
    private static string RefusalReason(HttpResponseMessage response, byte[] answer)
    {
        var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        if (TryRead(answer, ProtocolJsonContext.Default.BatchRefused) is { Error: { Length: > 0 } error })
        {
            return $"{status}: {error}";
        }

        if (answer.Length == 0)
        {
            return status;
        }

        var text = Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, 200)).ReplaceLineEndings(" ");
        return $"{status}: {text}";
    }

    private static T? TryRead<T>(byte[] answer, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return answer.Length == 0 ? null : JsonSerializer.Deserialize(answer, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
