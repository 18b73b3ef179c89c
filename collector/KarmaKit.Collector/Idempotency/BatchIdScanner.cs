using System.Diagnostics;
using System.IO.Compression;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Idempotency;

/// <summary>
/// Rebuilds <see cref="BatchIdIndex"/> at start from karma.log and its rotated predecessors
/// (<c>karma.log.1</c>, <c>karma.log.2.gz</c>, <c>karma.log-20261126</c>...) that were written within the window.
/// A batch counts as taken only when all <c>size</c> of its lines are found: a batch cut short by a crash was
/// never answered 200, so its resend must be appended.
/// </summary>
internal static class BatchIdScanner
{
    public static void Load(string logPath, BatchIdIndex index, DateTime now, ILogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        var cutoff = now - index.Window;
        var found = new Dictionary<BatchKey, (TakenBatch Batch, int Size, int Lines)>();
        var files = LogFiles(logPath, cutoff);
        long lines = 0;
        foreach (var file in files)
        {
            lines += ScanFile(file, cutoff, found, logger);
        }

        foreach (var (key, value) in found.OrderBy(kv => kv.Value.Batch.Received))
        {
            if (value.Lines >= value.Size)
            {
                index.Add(key, value.Batch);
            }
            else
            {
                logger.IncompleteBatch(key.Batch, key.Reporter, value.Lines, value.Size);
            }
        }

        logger.BatchIdsLoaded(index.Window, index.Count, files.Count, lines, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>The log and its rotations last written at or after <paramref name="cutoff"/>, oldest first.</summary>
    internal static List<string> LogFiles(string logPath, DateTime cutoff)
    {
        var directory = Path.GetDirectoryName(logPath)!;
        var name = Path.GetFileName(logPath);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. new DirectoryInfo(directory).EnumerateFiles(name + "*")
            .Where(f => f.Name == name || ((f.Name[name.Length] is '.' or '-') && !f.Name.Contains(KarmaLogRecovery.SideFileMarker, StringComparison.Ordinal)))
            .Where(f => f.LastWriteTimeUtc >= cutoff)
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name == name ? 1 : 0)
            .Select(f => f.FullName)];
    }

    private static long ScanFile(string path, DateTime cutoff, Dictionary<BatchKey, (TakenBatch Batch, int Size, int Lines)> found, ILogger logger)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        long lines = 0, bad = 0, firstBad = -1;
        LogLines.ForEach(stream, (line, offset) =>
        {
            lines++;
            if (!KarmaLogParser.TryParse(line, out var record))
            {
                firstBad = bad++ == 0 ? offset : firstBad;
                return;
            }

            if (record!.Batch is null || record.Received < cutoff)
            {
                return;
            }

            var key = new BatchKey(record.Reporter, record.Batch);
            found[key] = found.TryGetValue(key, out var seen)
                ? seen with { Lines = seen.Lines + 1 }
                : (new TakenBatch(record.Received, record.BatchSize), record.BatchSize, 1);
        });
        if (bad > 0)
        {
            logger.UnreadableLines(path, bad, firstBad);
        }

        return lines;
    }
}
