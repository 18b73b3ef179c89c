namespace KarmaKit.Collector;

internal static partial class Log
{
    [LoggerMessage(EventId = 5000, EventName = "LogOpened", Level = LogLevel.Information,
        Message = "karma.log {Path} open at {Bytes} bytes")]
    public static partial void LogOpened(this ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 5001, EventName = "TornTailSetAside", Level = LogLevel.Warning,
        Message = "karma.log {Path} ended in an unfinished write ({Bytes} bytes: a torn line and/or {Lines} lines of batch {BatchId} that never completed); set aside in {SideFile} and truncated to {Length} bytes")]
    public static partial void TornTailSetAside(this ILogger logger, string path, long bytes, int lines, string batchId, string sideFile, long length);

    [LoggerMessage(EventId = 5002, EventName = "LogReopened", Level = LogLevel.Information,
        Message = "karma.log {Path} reopened (SIGHUP or rotation) at {Bytes} bytes")]
    public static partial void LogReopened(this ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 5003, EventName = "LogWriteFailed", Level = LogLevel.Error,
        Message = "Writing or syncing karma.log {Path} failed; the unacknowledged tail was truncated back to {Length} bytes and the batches answered 503")]
    public static partial void LogWriteFailed(this ILogger logger, Exception exception, string path, long length);

    [LoggerMessage(EventId = 5004, EventName = "LogBroken", Level = LogLevel.Critical,
        Message = "karma.log {Path} failed and could not be truncated back to {Length} bytes: refusing every batch (503) until the collector is restarted")]
    public static partial void LogBroken(this ILogger logger, Exception exception, string path, long length);

    [LoggerMessage(EventId = 5005, EventName = "BatchIdsLoaded", Level = LogLevel.Information,
        Message = "Batch ids of the last {Window} loaded: {Batches} batches from {Files} files, {Lines} lines, in {ElapsedMs} ms")]
    public static partial void BatchIdsLoaded(this ILogger logger, TimeSpan window, int batches, int files, long lines, long elapsedMs);

    [LoggerMessage(EventId = 5006, EventName = "UnreadableLine", Level = LogLevel.Warning,
        Message = "{Path}: {Count} lines are not in the karma.log format and were skipped (first at byte {Offset})")]
    public static partial void UnreadableLines(this ILogger logger, string path, long count, long offset);

    [LoggerMessage(EventId = 5007, EventName = "IncompleteBatchInRotatedFile", Level = LogLevel.Warning,
        Message = "Batch {BatchId} of {Reporter} has {Lines} of its {Size} lines in the log files; it is not taken as received, so a resend appends it")]
    public static partial void IncompleteBatch(this ILogger logger, string batchId, string reporter, int lines, int size);

    [LoggerMessage(EventId = 5008, EventName = "ReopenFailed", Level = LogLevel.Error,
        Message = "Reopening karma.log {Path} failed; writing on to the file already open")]
    public static partial void ReopenFailed(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 5009, EventName = "CommitFailed", Level = LogLevel.Error,
        Message = "Unexpected failure committing a group to karma.log {Path}; its batches were answered 503")]
    public static partial void CommitFailed(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 5010, EventName = "ObserverFailed", Level = LogLevel.Error,
        Message = "Following karma.log {Path} failed after a durable group commit (the DNSBL state may miss it until a restart); the batches are stored and answered")]
    public static partial void ObserverFailed(this ILogger logger, Exception exception, string path);
}
