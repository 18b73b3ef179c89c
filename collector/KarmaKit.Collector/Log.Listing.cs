namespace KarmaKit.Collector;

internal static partial class Log
{
    [LoggerMessage(EventId = 5200, EventName = "ListingRebuilt", Level = LogLevel.Information,
        Message = "DNSBL listing built from the state: {Blocked} on the blocklist, {Allowed} on the allowlist, from {Subjects} subjects in {ElapsedMs} ms")]
    public static partial void ListingRebuilt(this ILogger logger, int blocked, int allowed, int subjects, long elapsedMs);

    [LoggerMessage(EventId = 5201, EventName = "ListingMerged", Level = LogLevel.Debug,
        Message = "DNSBL {List} index merged: {Count} entries, {Overlay} changes folded in {ElapsedMs} ms")]
    public static partial void ListingMerged(this ILogger logger, string list, int count, int overlay, long elapsedMs);

    [LoggerMessage(EventId = 5202, EventName = "ListingReviewFailed", Level = LogLevel.Error,
        Message = "DNSBL listing review (expiry) failed; retrying at the next review")]
    public static partial void ListingReviewFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5203, EventName = "ListingMergeFailed", Level = LogLevel.Error,
        Message = "DNSBL {List} index merge failed; the overlay keeps the changes")]
    public static partial void ListingMergeFailed(this ILogger logger, Exception exception, string list);

    [LoggerMessage(EventId = 5204, EventName = "SerialReservationFailed", Level = LogLevel.Warning,
        Message = "Cannot write the SOA serial reservation {Path}; a restart before it is written again may reuse serials and leave secondaries behind")]
    public static partial void SerialReservationFailed(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 5205, EventName = "SerialReservationUnreadable", Level = LogLevel.Warning,
        Message = "The SOA serial reservation {Path} does not hold a serial; starting from the clock")]
    public static partial void SerialReservationUnreadable(this ILogger logger, string path);
}
