namespace KarmaKit.Collector;

internal static partial class Log
{
    [LoggerMessage(EventId = 5300, EventName = "OperatorAction", Level = LogLevel.Information,
        Message = "Operator {Operator}: {Verb} {Network} until {Until} ({Reason})")]
    public static partial void OperatorAction(this ILogger logger, string @operator, string verb, string network, string until, string reason);

    [LoggerMessage(EventId = 5301, EventName = "AdminRefused", Level = LogLevel.Warning,
        Message = "Admin request from {Remote} refused with {Status} (no or wrong admin token)")]
    public static partial void AdminRefused(this ILogger logger, string remote, int status);
}
