using System.Net;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Metrics;

/// <summary>
/// <c>GET /metrics</c>: <see cref="CollectorMetrics"/> and the log's own numbers in the Prometheus text format
/// (<see cref="PrometheusText"/>). No authentication; unless <c>Collector:Metrics:AllowRemote</c>, only loopback
/// clients get an answer (403 otherwise). Names are documented in the README's collector section.
/// </summary>
internal sealed class MetricsEndpoint(CollectorMetrics metrics, KarmaLogService log, CollectorOptions options)
{
    public async Task HandleAsync(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (!options.Metrics.AllowRemote && (remote is null || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("/metrics answers loopback clients only (Collector:Metrics:AllowRemote)\n");
            return;
        }

        context.Response.ContentType = PrometheusText.ContentType;
        await context.Response.WriteAsync(Render());
    }

    internal string Render()
    {
        var text = new PrometheusText();
        text.Family("karmakit_reports_accepted_total", "counter", "Reports appended to karma.log, by reporter and verb (duplicates not counted).");
        foreach (var (reporter, black, white) in metrics.Reports())
        {
            text.Sample("karmakit_reports_accepted_total", [("reporter", reporter), ("verb", "black")], black);
            text.Sample("karmakit_reports_accepted_total", [("reporter", reporter), ("verb", "white")], white);
        }

        text.Family("karmakit_batches_accepted_total", "counter", "Batches appended to karma.log (POST /v1/batches answered 200, duplicate false).");
        text.Sample("karmakit_batches_accepted_total", metrics.BatchesAccepted);
        text.Family("karmakit_batches_duplicate_total", "counter", "Batches whose id was already taken (answered 200, duplicate true, nothing appended).");
        text.Sample("karmakit_batches_duplicate_total", metrics.BatchesDuplicate);
        text.Family("karmakit_batches_refused_total", "counter", "Batches refused, by reason: bad_request 400, unauthorized 401, forbidden 403, timeout 408, too_large 413, rate_limited 429, unavailable 503.");
        foreach (var reason in Enum.GetValues<BatchRefusal>())
        {
            text.Sample("karmakit_batches_refused_total", [("reason", Label(reason.ToString()))], metrics.BatchesRefused(reason));
        }

        WriteLog(text);
        text.Family("karmakit_replay_seconds", "gauge", "Seconds the start-up replay of karma.log into the state took (0 until replayed).");
        text.Sample("karmakit_replay_seconds", metrics.ReplaySeconds);
        WriteCompat(text);
        return text.ToString();
    }

    private void WriteLog(PrometheusText text)
    {
        text.Family("karmakit_log_fsync_seconds", "histogram", "fdatasync of karma.log per group commit.");
        text.Histogram("karmakit_log_fsync_seconds", metrics.FsyncSeconds);
        text.Family("karmakit_log_group_commit_size", "histogram", "Batches and compat requests written by one group commit (one write, one fdatasync).");
        text.Histogram("karmakit_log_group_commit_size", metrics.GroupCommitSize);
        text.Family("karmakit_log_size_bytes", "gauge", "Size of the current karma.log file.");
        text.Sample("karmakit_log_size_bytes", LogSize());
        var writer = log.WriterAsync;
        var ready = writer.IsCompletedSuccessfully;
        text.Family("karmakit_log_writable", "gauge", "1 while karma.log is open and writable, else 0.");
        text.Sample("karmakit_log_writable", ready && writer.Result.IsHealthy ? 1 : 0);
        text.Family("karmakit_batch_ids", "gauge", "Batch ids remembered for duplicate detection (Collector:Idempotency:Window).");
        text.Sample("karmakit_batch_ids", ready ? writer.Result.Ids.Count : 0);
    }

    private void WriteCompat(PrometheusText text)
    {
        text.Family("karmakit_compat_lines_accepted_total", "counter", "Lines of the compatibility listener appended to karma.log.");
        text.Sample("karmakit_compat_lines_accepted_total", metrics.CompatAccepted);
        text.Family("karmakit_compat_lines_refused_total", "counter", "Lines of the compatibility listener answered with an error, by reason.");
        foreach (var reason in Enum.GetValues<CompatRefusal>())
        {
            text.Sample("karmakit_compat_lines_refused_total", [("reason", Label(reason.ToString()))], metrics.CompatRefused(reason));
        }

        text.Family("karmakit_compat_connections_refused_total", "counter", "Connections to the compatibility listener not served, by reason: source (not on Collector:Compat:Sources), busy, timeout.");
        text.Sample("karmakit_compat_connections_refused_total", [("reason", "source")], metrics.CompatSourcesRefused);
        text.Sample("karmakit_compat_connections_refused_total", [("reason", "busy")], metrics.CompatBusyRefused);
        text.Sample("karmakit_compat_connections_refused_total", [("reason", "timeout")], metrics.CompatTimeouts);
    }

    private long LogSize()
    {
        try
        {
            var file = new FileInfo(log.LogPath);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary><c>RateLimited</c> → <c>rate_limited</c>.</summary>
    private static string Label(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
