using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter;

internal static partial class Log
{
    [LoggerMessage(EventId = 100, EventName = "AgentStarting", Level = LogLevel.Information,
        Message = "karmakit-reporter {Version} starting as {Name}: spool {Spool} ({Durability}), collector {CollectorUrl}")]
    public static partial void AgentStarting(this ILogger logger, string version, string name, string spool, string durability, string collectorUrl);

    [LoggerMessage(EventId = 101, EventName = "NoToken", Level = LogLevel.Warning,
        Message = "Reporter:Token is not set: reports are taken and spooled, but the collector will refuse them until a token is configured")]
    public static partial void NoToken(this ILogger logger);
}
