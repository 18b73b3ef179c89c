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
/// reporter's rate limit (429 + Retry-After), the whole body within the size and time caps (413, 408), JSON (400), the
/// batch's reporter against the token's (403), a known batch id (200 duplicate), validation of every report
/// (400 or 413, all or nothing), then the durable append (200, or 503 + Retry-After when the log cannot be written).
/// A valid body goes through <see cref="BatchJsonParser"/> in one pass; any other takes the deserialiser and
/// <see cref="BatchValidator"/>, which word every refusal.
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
        if (await ReadAndParseAsync(context, writer, reporter) is not { } batch)
        {
            return; // answered
        }

        var key = new BatchKey(reporter, batch.Batch);
        var entries = batch.Reports;
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

    /// <summary>
    /// The body, parsed and validated by <see cref="BatchJsonParser"/>; for a body it does not accept, the slow path
    /// answers as it always did, in its order: 400 for malformed JSON, 403 for another reporter, 200 for a known batch
    /// id, then 400 or 413 from <see cref="BatchValidator"/>; a batch the parser accepts gets the same 403 and 200
    /// checks. Null when a refusal or duplicate was answered.
    /// </summary>
    private async Task<ParsedBatch?> ReadAndParseAsync(HttpContext context, KarmaLogWriter writer, string reporter)
    {
        ReportBatch? dto;
        using (var body = await ReadBodyAsync(context, reporter))
        {
            if (body is null)
            {
                return null; // answered
            }

            if (BatchJsonParser.TryParse(body.Span, _options, _time.GetUtcNow().UtcDateTime, out var parsed))
            {
                return await AnsweredBeforeAppendAsync(context, writer, reporter, parsed.Reporter, parsed.Batch) ? null : parsed;
            }

            dto = await DeserializeAsync(context, reporter, body);
        }

        if (dto is null || await AnsweredBeforeAppendAsync(context, writer, reporter, dto.Reporter, dto.Batch ?? ""))
        {
            return null; // answered
        }

        if (!BatchValidator.TryValidate(dto, _options, _time.GetUtcNow().UtcDateTime, out var entries, out var status, out var error))
        {
            _logger.BatchRefused(dto.Batch ?? "-", reporter, status, error);
            await RefuseCountedAsync(context, status, error);
            return null;
        }

        return new ParsedBatch(dto.Reporter!, dto.Batch!, entries);
    }

    /// <summary>The batch's reporter against the token's (403), then a known batch id (200 duplicate); true when answered.</summary>
    private async Task<bool> AnsweredBeforeAppendAsync(HttpContext context, KarmaLogWriter writer, string reporter, string? claimed, string batchId)
    {
        if (claimed is not null && !string.Equals(claimed, reporter, StringComparison.OrdinalIgnoreCase))
        {
            _logger.ReporterMismatch(reporter, claimed);
            await RefuseCountedAsync(context, StatusCodes.Status403Forbidden, "the batch's reporter is not the reporter of this token");
            return true;
        }

        if (writer.Ids.TryGet(new BatchKey(reporter, batchId), out var taken))
        {
            _logger.BatchAccepted(batchId, reporter, taken.Reports, duplicate: true);
            _metrics.BatchAccepted(duplicate: true);
            await AnswerAsync(context, new AppendResult(taken.Reports, Duplicate: true));
            return true;
        }

        return false;
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
