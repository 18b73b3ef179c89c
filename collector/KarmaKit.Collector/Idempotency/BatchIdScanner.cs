using System.Diagnostics;
using System.IO.Compression;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Idempotency;

/// <summary>
/// Rebuilds <see cref="BatchIdIndex"/> at start from karma.log and its rotated predecessors
/// (<c>karma.log.1</c>, <c>karma.log.2.gz</c>, <c>karma.log-20261126</c>...) that were written within the window.
/// A batch counts as taken only when all <c>size</c> of its lines are found (<see cref="BatchIdCollector"/>). Used
/// when no state replay reads the log at start (<see cref="IBatchIdRebuild"/>), or it could not fill the index.
/// </summary>
internal static class BatchIdScanner
{
    public static void Load(string logPath, BatchIdIndex index, DateTime now, ILogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        var cutoff = now - index.Window;
        var collector = new BatchIdCollector(cutoff);
        var files = LogFiles(logPath, cutoff);
        long lines = 0;
        foreach (var file in files)
        {
            lines += ScanFile(file, collector, logger);
        }

        collector.AddTo(index, logger);
        index.MarkLoaded();
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

    /// <summary>Hands every report line to the collector (operator lines carry no batch id; bad lines are counted).</summary>
    private static long ScanFile(string path, BatchIdCollector collector, ILogger logger)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        long lines = 0, bad = 0, firstBad = -1;
        var times = default(TimeCache);
        LogLines.ForEach(stream, (line, offset) =>
        {
            lines++;
            if (StateLine.TryParse(line, out var parsed, ref times))
            {
                collector.Line(line, parsed.Reporter, parsed.Batch, parsed.Size);
            }
            else if (!Operator.OperatorLogLine.IsOperatorLine(line))
            {
                firstBad = bad++ == 0 ? offset : firstBad;
            }
        });
        if (bad > 0)
        {
            logger.UnreadableLines(path, bad, firstBad);
        }

        return lines;
    }
}
