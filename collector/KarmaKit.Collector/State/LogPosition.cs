namespace KarmaKit.Collector.State;

/// <summary>
/// How far into the karma.log files the state is complete: <see cref="Offset"/> bytes into the file whose first line
/// (LF included) hashes to <see cref="Head"/>; the line just before the offset is <see cref="LastLineLength"/> bytes
/// (LF included) and hashes to <see cref="LastLine"/> (SHA-256). The file is found again by its first line, so the
/// position survives logrotate renaming and compressing it; a truncated or rewritten file no longer matches.
/// </summary>
internal sealed record LogPosition(byte[] Head, long Offset, byte[] LastLine, int LastLineLength)
{
    public const int HashLength = 32;
}
