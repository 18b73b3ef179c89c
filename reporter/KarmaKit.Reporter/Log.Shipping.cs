using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter;

/// <summary>
/// Shipper messages, event ids 3000–3999. Per batch at Debug; a change of the collector's state
/// (unreachable, unauthorized, back again) once per change; a dead letter always.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, EventName = "ShipperStarted", Level = LogLevel.Information,
        Message = "Shipping reports to {BatchesUrl} as reporter {Reporter}")]
    public static partial void ShipperStarted(this ILogger logger, Uri batchesUrl, string reporter);

    [LoggerMessage(EventId = 3001, EventName = "PendingBatchResent", Level = LogLevel.Information,
        Message = "Resending batch {BatchId} (records {FirstSequence} to {LastSequence}) that was in flight when the agent stopped")]
    public static partial void PendingBatchResent(this ILogger logger, string batchId, long firstSequence, long lastSequence);

    [LoggerMessage(EventId = 3002, EventName = "PendingBatchEmpty", Level = LogLevel.Warning,
        Message = "Batch {BatchId} was in flight but the spool holds none of its records ({FirstSequence} to {LastSequence}); skipping it")]
    public static partial void PendingBatchEmpty(this ILogger logger, string batchId, long firstSequence, long lastSequence);

    [LoggerMessage(EventId = 3003, EventName = "BatchDelivered", Level = LogLevel.Debug,
        Message = "Batch {BatchId} delivered: {Records} records as {Reports} reports, {Bytes} bytes, duplicate {Duplicate}")]
    public static partial void BatchDelivered(this ILogger logger, string batchId, int records, int reports, int bytes, bool duplicate);

    [LoggerMessage(EventId = 3004, EventName = "AttemptFailed", Level = LogLevel.Debug,
        Message = "Attempt {Attempt} for batch {BatchId} failed: {Error}; next attempt in {Delay}")]
    public static partial void AttemptFailed(this ILogger logger, int attempt, string batchId, string error, TimeSpan delay);

    [LoggerMessage(EventId = 3010, EventName = "CollectorUnreachable", Level = LogLevel.Warning,
        Message = "Collector {BatchesUrl} unreachable or failing: {Error}; reports stay in the spool and are retried")]
    public static partial void CollectorUnreachable(this ILogger logger, Uri batchesUrl, string error);

    [LoggerMessage(EventId = 3011, EventName = "CollectorReachable", Level = LogLevel.Information,
        Message = "Collector {BatchesUrl} answers again after {Outage}")]
    public static partial void CollectorReachable(this ILogger logger, Uri batchesUrl, TimeSpan outage);

    [LoggerMessage(EventId = 3012, EventName = "CollectorUnauthorized", Level = LogLevel.Error,
        Message = "Collector {BatchesUrl} refuses this reporter ({Error}); check Reporter:Name and Reporter:Token (token configured: {HasToken}). Reports stay in the spool and are retried")]
    public static partial void CollectorUnauthorized(this ILogger logger, Uri batchesUrl, string error, bool hasToken);

    [LoggerMessage(EventId = 3013, EventName = "CollectorAuthorized", Level = LogLevel.Information,
        Message = "Collector {BatchesUrl} accepts this reporter again after {Outage}")]
    public static partial void CollectorAuthorized(this ILogger logger, Uri batchesUrl, TimeSpan outage);

    [LoggerMessage(EventId = 3020, EventName = "BatchDeadLettered", Level = LogLevel.Error,
        Message = "Collector refused batch {BatchId} for good ({Reason}); its {Records} records (sequences {FirstSequence} to {LastSequence}) were written to the dead-letter file")]
    public static partial void BatchDeadLettered(this ILogger logger, string batchId, string reason, int records, long firstSequence, long lastSequence);

    [LoggerMessage(EventId = 3021, EventName = "BatchSplit", Level = LogLevel.Warning,
        Message = "Collector found batch {BatchId} too large (413, {Records} records, {Bytes} bytes); sending it in parts of at most {MaxRecords} records")]
    public static partial void BatchSplit(this ILogger logger, string batchId, int records, int bytes, int maxRecords);

    [LoggerMessage(EventId = 3030, EventName = "ShipperFailed", Level = LogLevel.Error,
        Message = "Shipping failed; trying again in {Delay}")]
    public static partial void ShipperFailed(this ILogger logger, Exception exception, TimeSpan delay);
}
