using System.Net;

namespace KarmaKit.Collector;

/// <summary>Zone transfer and NOTIFY events, 6100–6199.</summary>
internal static partial class Log
{
    // Debug: a client not allowed can send thousands of transfer requests a second over one connection.
    [LoggerMessage(EventId = 6100, EventName = "DnsTransferRefused", Level = LogLevel.Debug,
        Message = "DNS {Kind} of {Zone} from {Remote} refused: {Reason}")]
    public static partial void DnsTransferRefused(this ILogger logger, string kind, string zone, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 6101, EventName = "DnsTransferDone", Level = LogLevel.Information,
        Message = "DNS {Kind} of {Zone} serial {Serial} to {Remote}, {Form}: {Records} records in {Messages} messages, {Milliseconds} ms")]
    public static partial void DnsTransferDone(this ILogger logger, string kind, string zone, uint serial, EndPoint? remote, string form, long records, int messages, long milliseconds);

    [LoggerMessage(EventId = 6102, EventName = "DnsTransferBusy", Level = LogLevel.Warning,
        Message = "DNS {Kind} of {Zone} from {Remote} answered SERVFAIL: {Limit} transfers already running (Collector:Dns:Transfer:MaxConcurrent)")]
    public static partial void DnsTransferBusy(this ILogger logger, string kind, string zone, EndPoint? remote, int limit);

    [LoggerMessage(EventId = 6103, EventName = "DnsTransferUpToDate", Level = LogLevel.Debug,
        Message = "DNS IXFR of {Zone} from {Remote}: its serial {ClientSerial} is current ({Serial}), one SOA sent")]
    public static partial void DnsTransferUpToDate(this ILogger logger, string zone, EndPoint? remote, uint clientSerial, uint serial);

    [LoggerMessage(EventId = 6104, EventName = "DnsTransferAborted", Level = LogLevel.Warning,
        Message = "DNS {Kind} of {Zone} to {Remote} aborted after {Records} records: {Reason}")]
    public static partial void DnsTransferAborted(this ILogger logger, string kind, string zone, EndPoint? remote, long records, string reason);

    [LoggerMessage(EventId = 6110, EventName = "DnsNotifyAnswered", Level = LogLevel.Information,
        Message = "DNS NOTIFY of {Zone} serial {Serial} answered by {Secondary} with {Rcode}")]
    public static partial void DnsNotifyAnswered(this ILogger logger, string zone, uint serial, IPEndPoint secondary, string rcode);

    [LoggerMessage(EventId = 6111, EventName = "DnsNotifyUnanswered", Level = LogLevel.Warning,
        Message = "DNS NOTIFY of {Zone} serial {Serial} to {Secondary} not answered after {Attempts} attempts ({Reason}); it will learn the change at its SOA refresh or the next NOTIFY")]
    public static partial void DnsNotifyUnanswered(this ILogger logger, string zone, uint serial, IPEndPoint secondary, int attempts, string reason);

    [LoggerMessage(EventId = 6112, EventName = "DnsNotifying", Level = LogLevel.Information,
        Message = "DNS NOTIFY to {Secondaries} for {Zones} at most every {Interval}")]
    public static partial void DnsNotifying(this ILogger logger, string secondaries, string zones, TimeSpan interval);
}
