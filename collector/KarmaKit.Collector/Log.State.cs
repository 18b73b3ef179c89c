namespace KarmaKit.Collector;

internal static partial class Log
{
    [LoggerMessage(EventId = 5100, EventName = "StateReplayProgress", Level = LogLevel.Information,
        Message = "Rebuilding the DNSBL state from karma.log: {Lines} lines ({Percent}%), {LinesPerSecond} lines/s, {Subjects} subjects, now in {File}")]
    public static partial void StateReplayProgress(this ILogger logger, long lines, int percent, long linesPerSecond, int subjects, string file);

    [LoggerMessage(EventId = 5101, EventName = "StateReplayed", Level = LogLevel.Information,
        Message = "DNSBL state ready: {Subjects} subjects, {Reporters} reporters; {Lines} lines replayed from {Files} files in {ElapsedMs} ms ({LinesPerSecond} lines/s) after {Source}")]
    public static partial void StateReplayed(this ILogger logger, int subjects, int reporters, long lines, int files, long elapsedMs, long linesPerSecond, string source);

    [LoggerMessage(EventId = 5102, EventName = "StateSnapshotIgnored", Level = LogLevel.Warning,
        Message = "State snapshot {Path} not used: {Problem}; replaying every karma.log file")]
    public static partial void StateSnapshotIgnored(this ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 5103, EventName = "StateSnapshotWritten", Level = LogLevel.Information,
        Message = "State snapshot {Path} written: {Subjects} subjects, {Lines} lines, {Bytes} bytes in {ElapsedMs} ms")]
    public static partial void StateSnapshotWritten(this ILogger logger, string path, int subjects, long lines, long bytes, long elapsedMs);

    [LoggerMessage(EventId = 5104, EventName = "StateSnapshotFailed", Level = LogLevel.Error,
        Message = "Writing the state snapshot {Path} failed; the next start replays more of karma.log")]
    public static partial void StateSnapshotFailed(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 5105, EventName = "StateUnreadableLines", Level = LogLevel.Warning,
        Message = "{Path}: {Count} lines could not be read into the DNSBL state and were skipped (first at byte {Offset})")]
    public static partial void StateUnreadableLines(this ILogger logger, string path, long count, long offset);

    [LoggerMessage(EventId = 5106, EventName = "StateSnapshotLoaded", Level = LogLevel.Information,
        Message = "State snapshot {Path} loaded: {Subjects} subjects, {Lines} lines, in {ElapsedMs} ms; replaying karma.log from byte {Offset} of {File}")]
    public static partial void StateSnapshotLoaded(this ILogger logger, string path, int subjects, long lines, long elapsedMs, long offset, string file);
}
