using System.Globalization;
using System.Threading.Channels;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// <c>POST /v1/batches</c> (DESIGN.md §2). In this order: bearer token (401, before any of the body is read), the
/// reporter's rate limit (429 + Retry-After), the body within the size and time caps (413, 408), JSON (400), the
/// batch's reporter against the token's (403), a known batch id (200 duplicate), validation of every report
/// (400 or 413, all or nothing), then the durable append (200, or 503 + Retry-After when the log cannot be written).
/// </summary>
internal sealed partial class BatchEndpoint
{
    private readonly KarmaLogService _log;
    private readonly ReporterAuthenticator _authenticator;
    private readonly ReporterRateLimiter _limiter;
    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CollectorMetrics _metrics;

    public BatchEndpoint(KarmaLogService log, ReporterAuthenticator authenticator, ReporterRateLimiter limiter, CollectorOptions options, TimeProvider time, ILogger<BatchEndpoint> logger, CollectorMetrics metrics)
    {
        _metrics = metrics;
        _log = log;
        _authenticator = authenticator;
        _limiter = limiter;
        _options = options.Ingest;
        _time = time;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var reporter = _authenticator.Authenticate(context.Request.Headers.Authorization, out var problem);
        if (reporter is null)
        {
            _logger.AuthenticationFailed(context.Connection.RemoteIpAddress?.ToString() ?? "?", problem);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseCountedAsync(context, StatusCodes.Status401Unauthorized, "missing or wrong bearer token");
            return;
        }

        if (!_limiter.TryAcquire(reporter, out var retryAfter))
        {
            var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
            _logger.RateLimited(reporter, seconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await RefuseCountedAsync(context, StatusCodes.Status429TooManyRequests, $"rate limit of reporter {reporter}: retry after {seconds} s");
            return;
        }

        var writer = await _log.WriterAsync;
        var batch = await ReadBatchAsync(context, reporter);
        if (batch is null)
        {
            return; // answered
        }

        if (batch.Reporter is { } claimed && !string.Equals(claimed, reporter, StringComparison.OrdinalIgnoreCase))
        {
            _logger.ReporterMismatch(reporter, claimed);
            await RefuseCountedAsync(context, StatusCodes.Status403Forbidden, "the batch's reporter is not the reporter of this token");
            return;
        }

        var key = new BatchKey(reporter, batch.Batch ?? "");
        if (writer.Ids.TryGet(key, out var taken))
        {
            _logger.BatchAccepted(key.Batch, reporter, taken.Reports, duplicate: true);
            _metrics.BatchAccepted(duplicate: true);
            await AnswerAsync(context, new AppendResult(taken.Reports, Duplicate: true));
            return;
        }

        if (!BatchValidator.TryValidate(batch, _options, _time.GetUtcNow().UtcDateTime, out var entries, out var status, out var error))
        {
            _logger.BatchRefused(batch.Batch ?? "-", reporter, status, error);
            await RefuseCountedAsync(context, status, error);
            return;
        }

        AppendResult result;
        try
        {
            result = await writer.AppendAsync(key, entries, context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or ChannelClosedException or OperationCanceledException)
        {
            _logger.BatchNotStored(key.Batch, reporter, ex.Message);
            context.Response.Headers.RetryAfter = "5";
            await RefuseCountedAsync(context, StatusCodes.Status503ServiceUnavailable, "the log cannot be written now");
            return;
        }

        _logger.BatchAccepted(key.Batch, reporter, result.Accepted, result.Duplicate);
        _metrics.BatchAccepted(result.Duplicate);
        if (!result.Duplicate)
        {
            _metrics.ReportsAccepted(reporter, entries);
        }

        await AnswerAsync(context, result);
    }

    private static Task AnswerAsync(HttpContext context, AppendResult result) =>
        context.Response.WriteAsJsonAsync(
            new BatchAccepted { Accepted = result.Accepted, Duplicate = result.Duplicate },
            ProtocolJsonContext.Default.BatchAccepted);

    private Task RefuseCountedAsync(HttpContext context, int status, string error)
    {
        _metrics.BatchRefused(status);
        return RefuseAsync(context, status, error);
    }

    internal static Task RefuseAsync(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new BatchRefused { Error = error }, ProtocolJsonContext.Default.BatchRefused);
    }
}
