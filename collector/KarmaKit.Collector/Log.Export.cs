namespace KarmaKit.Collector;

/// <summary>Zone export events, 7000–7999.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, EventName = "ZoneExported", Level = LogLevel.Information,
        Message = "Zone {Zone} exported to {Directory}: serial {Serial}, {Entries} entries, {Bytes} bytes in {ElapsedMs} ms")]
    public static partial void ZoneExported(this ILogger logger, string zone, string directory, uint serial, int entries, long bytes, long elapsedMs);

    [LoggerMessage(EventId = 7001, EventName = "ZoneExportFailed", Level = LogLevel.Error,
        Message = "Zone {Zone} export to {Directory} failed; the previous files stay, next try in {Interval}")]
    public static partial void ZoneExportFailed(this ILogger logger, Exception exception, string zone, string directory, TimeSpan interval);

    [LoggerMessage(EventId = 7002, EventName = "ZoneExportDisabled", Level = LogLevel.Information,
        Message = "Zone export disabled (Collector:Export:Enabled is false)")]
    public static partial void ZoneExportDisabled(this ILogger logger);

    [LoggerMessage(EventId = 7003, EventName = "ZoneExportInexact", Level = LogLevel.Warning,
        Message = "Zone {Zone}: {Count} TXT records cannot be given back exactly by rbldnsd (over 254 bytes, white space at the end, or a line break); the master file has them right")]
    public static partial void ZoneExportInexact(this ILogger logger, string zone, int count);
}
