using System.Globalization;

namespace KarmaKit.Collector.Storage;

/// <summary>
/// Start-up repair of karma.log's end. A crash can leave the last write unfinished: a torn last line (no LF) and,
/// before it, only some of the lines of the last batch (a batch is never answered 200 before all of its lines are
/// synced, and batches are written whole and in order, so only the last batch in the file can be cut short).
/// Both are copied to a side file <c>karma.log.torn-TIME</c> next to the log, synced, and truncated away, so they
/// are never parsed as reports and the reporter's resend of that batch is appended whole.
/// </summary>
internal static class KarmaLogRecovery
{
    public const string SideFileMarker = ".torn-";

    /// <summary>Repairs the end of <paramref name="path"/>; returns the side file written, or null when nothing was wrong.</summary>
    public static string? Recover(string path, int maxBatchLines, DateTime now, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1);
        var length = file.Length;
        if (length == 0)
        {
            return null;
        }

        // A batch's lines are at most ~700 bytes each; read enough of the end to see the whole last batch.
        var tailLength = (int)Math.Min(length, Math.Max(1 << 20, Math.Min((long)maxBatchLines * 1024, 256L << 20)));
        var tail = new byte[tailLength];
        file.Position = length - tailLength;
        file.ReadExactly(tail);

        var keep = KeepLength(tail, tailLength == length, out var lines, out var batchId);
        if (keep == tailLength)
        {
            return null;
        }

        var cut = length - tailLength + keep;
        var sidePath = path + SideFileMarker + now.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        using (var side = new FileStream(sidePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            side.Write(tail.AsSpan(keep));
            side.Flush(flushToDisk: true);
        }

        file.SetLength(cut);
        file.Flush(flushToDisk: true);
        logger.TornTailSetAside(path, length - cut, lines, batchId ?? "-", sidePath, cut);
        return sidePath;
    }

    /// <summary>
    /// How much of <paramref name="tail"/> to keep: up to the last LF, then back over the lines of a last batch that has
    /// fewer lines than its <c>size</c>. When the tail is not the whole file and holds no LF, the whole tail goes.
    /// </summary>
    internal static int KeepLength(ReadOnlySpan<byte> tail, bool wholeFile, out int incompleteLines, out string? incompleteBatch)
    {
        incompleteLines = 0;
        incompleteBatch = null;
        var keep = tail.LastIndexOf((byte)'\n') + 1;
        if (keep == 0 && !wholeFile)
        {
            return 0;
        }

        // Walk back over complete lines while they belong to the same batch as the last one.
        string? reporter = null;
        var size = 0;
        var count = 0;
        var start = keep;
        while (start > 0)
        {
            var lineEnd = start - 1;
            var lineStart = tail[..lineEnd].LastIndexOf((byte)'\n') + 1;
            if (lineStart == 0 && !wholeFile)
            {
                count = int.MaxValue; // the line may begin before the tail: not ours to judge
                break;
            }

            if (!KarmaLogParser.TryParse(tail[lineStart..lineEnd], out var record) || record!.Batch is null)
            {
                break;
            }

            if (reporter is null)
            {
                (reporter, incompleteBatch, size) = (record.Reporter, record.Batch, record.BatchSize);
            }
            else if (record.Reporter != reporter || record.Batch != incompleteBatch)
            {
                break;
            }

            count++;
            start = lineStart;
            if (count >= size)
            {
                break;
            }
        }

        if (reporter is not null && count < size)
        {
            incompleteLines = count;
            return start;
        }

        incompleteBatch = null;
        return keep;
    }
}
