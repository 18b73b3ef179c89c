namespace KarmaKit.Collector;

internal static partial class Log
{
    [LoggerMessage(EventId = 100, EventName = "CollectorStarting", Level = LogLevel.Information,
        Message = "karmakit-collector {Version} starting: listening on {Http}, log {LogPath}, {Reporters} reporters known")]
    public static partial void CollectorStarting(this ILogger logger, string version, string http, string logPath, int reporters);

    [LoggerMessage(EventId = 101, EventName = "NoReporters", Level = LogLevel.Warning,
        Message = "No reporter is configured (Collector:Reporters:NAME:Token or `karmakit-collector reporters add NAME`): every batch will be refused with 401")]
    public static partial void NoReporters(this ILogger logger);

    [LoggerMessage(EventId = 102, EventName = "PlainHttpOffLoopback", Level = LogLevel.Warning,
        Message = "Collector:Http {Http} is plain http on a non-loopback address (Collector:AllowPlainHttpOffLoopback): tokens cross the network in clear unless a TLS proxy is in front")]
    public static partial void PlainHttpOffLoopback(this ILogger logger, string http);
}
