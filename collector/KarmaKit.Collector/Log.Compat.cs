using System.Net;

namespace KarmaKit.Collector;

internal static partial class Log
{
    [LoggerMessage(EventId = 4100, EventName = "CompatListening", Level = LogLevel.Information,
        Message = "Compatibility listener (Collector:Compat:Tcp) on {EndPoint}: raw readsocket lines from {Sources} allowlisted networks, reporters {Reporters}")]
    public static partial void CompatListening(this ILogger logger, IPEndPoint endPoint, int sources, string reporters);

    [LoggerMessage(EventId = 4101, EventName = "CompatUnauthenticated", Level = LogLevel.Warning,
        Message = "Compatibility listener {EndPoint} is not on loopback: this wire is unauthenticated and unencrypted, the source address is the only check; firewall it to the allowlisted hosts")]
    public static partial void CompatUnauthenticated(this ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 4102, EventName = "CompatSourceRefused", Level = LogLevel.Warning,
        Message = "Compatibility listener refused a connection from {Source}, closed unread: not in Collector:Compat:Sources ({Suppressed} more refused since the previous warning for it; at most one warning per address every {Interval})")]
    public static partial void CompatSourceRefused(this ILogger logger, IPAddress source, long suppressed, TimeSpan interval);

    [LoggerMessage(EventId = 4103, EventName = "CompatServed", Level = LogLevel.Debug,
        Message = "Compatibility request from {Source} as {Reporter}: {Lines} lines, {Accepted} appended")]
    public static partial void CompatServed(this ILogger logger, IPAddress source, string reporter, int lines, int accepted);

    [LoggerMessage(EventId = 4104, EventName = "CompatRequestRefused", Level = LogLevel.Debug,
        Message = "Compatibility request from {Source} refused: {Reply}")]
    public static partial void CompatRequestRefused(this ILogger logger, IPAddress source, string reply);

    [LoggerMessage(EventId = 4105, EventName = "CompatNotStored", Level = LogLevel.Warning,
        Message = "Compatibility request from {Source} as {Reporter}: {Lines} reports not confirmed durable: {Error}")]
    public static partial void CompatNotStored(this ILogger logger, IPAddress source, string reporter, int lines, string error);

    [LoggerMessage(EventId = 4106, EventName = "CompatBusy", Level = LogLevel.Warning,
        Message = "Compatibility listener at Collector:Compat:MaxConnections ({Max}): answering error busy")]
    public static partial void CompatBusy(this ILogger logger, int max);

    [LoggerMessage(EventId = 4107, EventName = "CompatAcceptFailed", Level = LogLevel.Warning,
        Message = "Compatibility listener: accept failed ({Error}); going on")]
    public static partial void CompatAcceptFailed(this ILogger logger, Exception exception, string error);

    [LoggerMessage(EventId = 4108, EventName = "CompatConnectionFailed", Level = LogLevel.Error,
        Message = "Compatibility listener: unexpected failure serving {Source}; connection closed")]
    public static partial void CompatConnectionFailed(this ILogger logger, Exception exception, IPAddress source);
}
