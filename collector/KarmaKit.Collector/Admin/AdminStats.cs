using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Admin;

/// <summary><c>GET /admin/stats</c>: the lists, the state, karma.log and what this run appended, as JSON.</summary>
internal sealed class AdminStats(ListingEngine engine, SubjectStateFeed feed, KarmaLogService log)
{
    public async Task WriteAsync(HttpContext context)
    {
        var writer = log.WriterAsync.IsCompletedSuccessfully ? log.WriterAsync.Result : null;
        var store = feed.Store;
        var (allows, delists) = engine.OperatorCounts();
        var logBytes = File.Exists(log.LogPath) ? new FileInfo(log.LogPath).Length : 0;
        await LookupEndpoint.WriteAsync(context, json =>
        {
            json.WriteStartObject("lists");
            foreach (var (name, list) in new[] { ("block", DnsList.Block), ("allow", DnsList.Allow) })
            {
                json.WriteStartObject(name);
                json.WriteNumber("entries", engine.Count(list));
                json.WriteNumber("serial", engine.Serial(list));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteNumber("subjects", store.Count);
            json.WriteNumber("reporters", store.Reporters.Count);
            json.WriteNumber("reasons", store.Reasons.Count);
            json.WriteNumber("stateLines", store.Lines);
            json.WriteNumber("pendingReviews", engine.PendingReviews);
            json.WriteStartObject("operator");
            json.WriteNumber("allows", allows);
            json.WriteNumber("delists", delists);
            json.WriteEndObject();
            json.WriteStartObject("log");
            json.WriteString("path", log.LogPath);
            json.WriteNumber("bytes", logBytes);
            json.WriteBoolean("healthy", writer?.IsHealthy ?? false);
            json.WriteEndObject();
            if (writer is not null)
            {
                json.WriteStartObject("sinceStart");
                json.WriteNumber("batches", writer.BatchesAppended);
                json.WriteNumber("duplicateBatches", writer.DuplicateBatches);
                json.WriteNumber("black", writer.ReportsAppended - writer.WhiteReportsAppended);
                json.WriteNumber("white", writer.WhiteReportsAppended);
                json.WriteNumber("operatorActions", writer.OperatorActionsAppended);
                json.WriteNumber("fsyncs", writer.SyncCount);
                json.WriteEndObject();
            }

            if (feed.Startup is { } startup)
            {
                json.WriteStartObject("startup");
                json.WriteBoolean("fromSnapshot", feed.StartedFromSnapshot);
                json.WriteNumber("linesReplayed", startup.Lines);
                json.WriteNumber("replayMs", (long)startup.Elapsed.TotalMilliseconds);
                json.WriteEndObject();
            }
        });
    }
}
