namespace KarmaKit.Collector;

internal static partial class Log
{
    [LoggerMessage(EventId = 4000, EventName = "AuthenticationFailed", Level = LogLevel.Information,
        Message = "Refused a batch from {Remote}: {Problem} (401)")]
    public static partial void AuthenticationFailed(this ILogger logger, string remote, string problem);

    [LoggerMessage(EventId = 4001, EventName = "ReporterMismatch", Level = LogLevel.Warning,
        Message = "Reporter {Reporter} posted a batch naming reporter {Claimed} (403): check Reporter:Name on that host")]
    public static partial void ReporterMismatch(this ILogger logger, string reporter, string claimed);

    [LoggerMessage(EventId = 4002, EventName = "BatchRefused", Level = LogLevel.Warning,
        Message = "Refused batch {BatchId} from {Reporter} with {Status}: {Reason}")]
    public static partial void BatchRefused(this ILogger logger, string batchId, string reporter, int status, string reason);

    [LoggerMessage(EventId = 4003, EventName = "RateLimited", Level = LogLevel.Debug,
        Message = "Reporter {Reporter} is over its rate limit (429, retry after {RetryAfter} s)")]
    public static partial void RateLimited(this ILogger logger, string reporter, int retryAfter);

    [LoggerMessage(EventId = 4004, EventName = "BatchAccepted", Level = LogLevel.Debug,
        Message = "Batch {BatchId} from {Reporter}: {Reports} reports, duplicate {Duplicate}")]
    public static partial void BatchAccepted(this ILogger logger, string batchId, string reporter, int reports, bool duplicate);

    [LoggerMessage(EventId = 4005, EventName = "BatchNotStored", Level = LogLevel.Error,
        Message = "Batch {BatchId} from {Reporter} could not be stored (503): {Error}")]
    public static partial void BatchNotStored(this ILogger logger, string batchId, string reporter, string error);

    [LoggerMessage(EventId = 4006, EventName = "BodyUnreadable", Level = LogLevel.Information,
        Message = "Request body from reporter {Reporter} not read ({Status}): {Reason}")]
    public static partial void BodyUnreadable(this ILogger logger, string reporter, int status, string reason);
}
