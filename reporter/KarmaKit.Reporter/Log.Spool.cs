using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter;

/// <summary>Spool messages, event ids 2000–2999.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, EventName = "SpoolOpened", Level = LogLevel.Information,
        Message = "Spool {Directory} opened (id {SpoolId}, durability {Durability}): {Segments} segments, {Bytes} bytes, {Records} records up to sequence {LastSequence}, delivered through {DeliveredThrough}")]
    public static partial void SpoolOpened(this ILogger logger, string directory, string spoolId, Durability durability, int segments, long bytes, long records, long lastSequence, long deliveredThrough);

    [LoggerMessage(EventId = 2001, EventName = "TornTailSetAside", Level = LogLevel.Warning,
        Message = "Spool segment {Segment} has a torn tail at offset {Offset}: kept {Records} whole records before it, moved {TornBytes} bytes to {TornFile} and truncated the segment")]
    public static partial void TornTailSetAside(this ILogger logger, string segment, long offset, long records, long tornBytes, string tornFile);

    [LoggerMessage(EventId = 2002, EventName = "SpoolFull", Level = LogLevel.Error,
        Message = "SPOOL FULL: {Bytes} of {MaxBytes} bytes (Reporter:Journal:MaxBytes) hold undelivered reports; new reports get 'error spool-full' until the collector accepts queued batches")]
    public static partial void SpoolFull(this ILogger logger, long bytes, long maxBytes);

    [LoggerMessage(EventId = 2003, EventName = "SpoolStillFull", Level = LogLevel.Error,
        Message = "SPOOL STILL FULL: {Bytes} of {MaxBytes} bytes, {Refused} appends refused with 'error spool-full' since {Since}")]
    public static partial void SpoolStillFull(this ILogger logger, long bytes, long maxBytes, long refused, DateTimeOffset since);

    [LoggerMessage(EventId = 2004, EventName = "SpoolNoLongerFull", Level = LogLevel.Information,
        Message = "Spool accepts reports again after refusing {Refused} appends since {Since}; {Bytes} of {MaxBytes} bytes in use")]
    public static partial void SpoolNoLongerFull(this ILogger logger, long refused, DateTimeOffset since, long bytes, long maxBytes);

    [LoggerMessage(EventId = 2005, EventName = "AppendFailed", Level = LogLevel.Error,
        Message = "Spool write of {Appends} appends to {Segment} failed; they were answered as unavailable")]
    public static partial void AppendFailed(this ILogger logger, Exception exception, int appends, string segment);

    [LoggerMessage(EventId = 2006, EventName = "JournalFaulted", Level = LogLevel.Critical,
        Message = "Spool journal {Segment} can no longer be trusted (fsync or truncate failed); every append is refused until the agent restarts and recovers the spool")]
    public static partial void JournalFaulted(this ILogger logger, Exception exception, string segment);

    [LoggerMessage(EventId = 2007, EventName = "SegmentStarted", Level = LogLevel.Debug,
        Message = "Spool segment {Segment} started")]
    public static partial void SegmentStarted(this ILogger logger, string segment);

    [LoggerMessage(EventId = 2008, EventName = "SegmentFreed", Level = LogLevel.Debug,
        Message = "Spool segment {Segment} freed ({Bytes} bytes, delivered through {DeliveredThrough})")]
    public static partial void SegmentFreed(this ILogger logger, string segment, long bytes, long deliveredThrough);

    [LoggerMessage(EventId = 2009, EventName = "DeadLetterWritten", Level = LogLevel.Warning,
        Message = "Batch {BatchId} (sequences {FirstSequence}..{LastSequence}) written to dead letters {File}: {Reason}")]
    public static partial void DeadLetterWritten(this ILogger logger, string batchId, long firstSequence, long lastSequence, string file, string reason);

    [LoggerMessage(EventId = 2010, EventName = "SpoolClosed", Level = LogLevel.Information,
        Message = "Spool {Directory} closed at sequence {LastSequence}, delivered through {DeliveredThrough}")]
    public static partial void SpoolClosed(this ILogger logger, string directory, long lastSequence, long deliveredThrough);

    [LoggerMessage(EventId = 2011, EventName = "UnknownJournalFile", Level = LogLevel.Warning,
        Message = "Spool journal directory holds {File}, which is not a segment; it is ignored")]
    public static partial void UnknownJournalFile(this ILogger logger, string file);

    [LoggerMessage(EventId = 2012, EventName = "SegmentFreeFailed", Level = LogLevel.Warning,
        Message = "Spool segment {Segment} is delivered but could not be deleted; retrying after the next batch")]
    public static partial void SegmentFreeFailed(this ILogger logger, Exception exception, string segment);

    [LoggerMessage(EventId = 2013, EventName = "SpoolCreated", Level = LogLevel.Information,
        Message = "Spool {Directory} created with id {SpoolId}")]
    public static partial void SpoolCreated(this ILogger logger, string directory, string spoolId);

    [LoggerMessage(EventId = 2014, EventName = "WholeRecordsSetAside", Level = LogLevel.Error,
        Message = "{Records} whole records (sequences up to {HighestSequence}) follow damaged bytes in {Segment} and were set aside with them in {TornFile}; they will not be shipped unless restored by hand")]
    public static partial void WholeRecordsSetAside(this ILogger logger, long records, long highestSequence, string segment, string tornFile);

    [LoggerMessage(EventId = 2015, EventName = "ZeroAheadFailed", Level = LogLevel.Warning,
        Message = "Could not zero-fill ahead in {Segment} (appends go on with a full fsync each)")]
    public static partial void ZeroAheadFailed(this ILogger logger, Exception exception, string segment);

    [LoggerMessage(EventId = 2016, EventName = "CompletionFailed", Level = LogLevel.Error,
        Message = "An append's completion threw on the writer thread; the other appends were answered")]
    public static partial void CompletionFailed(this ILogger logger, Exception exception);
}
