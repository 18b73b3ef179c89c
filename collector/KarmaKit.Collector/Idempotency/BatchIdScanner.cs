using System.Diagnostics;
using System.IO.Compression;
using KarmaKit.Collector.State;
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

    /// <summary>
    /// Counts the lines of each batch in the window. A batch's lines are contiguous and share one receive time, so
    /// only a batch's first line is parsed strictly (<see cref="KarmaLogParser"/>, which allocates); the lines after
    /// it are checked by the span parser of the state (<see cref="StateLine"/>) and matched by reporter and batch bytes.
    /// </summary>
    private static long ScanFile(string path, DateTime cutoff, Dictionary<BatchKey, (TakenBatch Batch, int Size, int Lines)> found, ILogger logger)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        long lines = 0, bad = 0, firstBad = -1;
        var times = default(TimeCache);
        var current = new CurrentBatch();
        LogLines.ForEach(stream, (line, offset) =>
        {
            lines++;
            if (!StateLine.TryParse(line, out var fast, ref times))
            {
                if (Operator.OperatorLogLine.IsOperatorLine(line))
                {
                    return; // an operator's allow or delist: no batch id
                }

                firstBad = bad++ == 0 ? offset : firstBad;
                return;
            }

            if (current.Matches(fast.Reporter, fast.Batch))
            {
                current.Lines++;
                return;
            }

            current.Flush(found);
            if (!KarmaLogParser.TryParse(line, out var record))
            {
                firstBad = bad++ == 0 ? offset : firstBad;
                return;
            }

            if (record!.Batch is not null)
            {
                // A batch before the window is followed too (its lines are skipped fast), but not counted.
                var key = record.Received >= cutoff ? new BatchKey(record.Reporter, record.Batch) : (BatchKey?)null;
                current.Start(fast.Reporter, fast.Batch, key, new TakenBatch(record.Received, record.BatchSize));
            }
        });
        current.Flush(found);
        if (bad > 0)
        {
            logger.UnreadableLines(path, bad, firstBad);
        }

        return lines;
    }

    /// <summary>The batch whose lines are being read, by its reporter and batch bytes.</summary>
    private sealed class CurrentBatch
    {
        private byte[] _reporter = [];
        private byte[] _batch = [];
        private BatchKey? _key;
        private TakenBatch _taken;
        private bool _active;

        public int Lines { get; set; }

        public bool Matches(ReadOnlySpan<byte> reporter, ReadOnlySpan<byte> batch) =>
            _active && !batch.IsEmpty && batch.SequenceEqual(_batch) && reporter.SequenceEqual(_reporter);

        /// <summary>Follows a batch from its first line; a null <paramref name="key"/> follows it without counting it.</summary>
        public void Start(ReadOnlySpan<byte> reporter, ReadOnlySpan<byte> batch, BatchKey? key, TakenBatch taken)
        {
            (_reporter, _batch, _key, _taken, Lines, _active) = (reporter.ToArray(), batch.ToArray(), key, taken, 1, true);
        }

        public void Flush(Dictionary<BatchKey, (TakenBatch Batch, int Size, int Lines)> found)
        {
            if (_key is { } key)
            {
                found[key] = found.TryGetValue(key, out var seen)
                    ? seen with { Lines = seen.Lines + Lines }
                    : (_taken, _taken.Reports, Lines);
            }

            _key = null;
            _active = false;
            Lines = 0;
        }
    }
}
