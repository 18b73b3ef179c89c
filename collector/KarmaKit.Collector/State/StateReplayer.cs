using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.State;

/// <summary>What a replay did.</summary>
internal readonly record struct ReplayResult(long Lines, int Files, TimeSpan Elapsed)
{
    public long LinesPerSecond => Elapsed.TotalSeconds > 0 ? (long)(Lines / Elapsed.TotalSeconds) : Lines;
}

/// <summary>
/// Applies karma.log files to a <see cref="SubjectStateStore"/>, oldest first, from a byte offset in the first one,
/// reading spans of a 128 KiB buffer (no string per line), and moves the store's <see cref="LogPosition"/> along.
/// Logs progress (lines, percent of bytes, lines/s) every <c>progressEvery</c>. Call inside the store's write lock.
/// </summary>
internal sealed partial class StateReplayer : IDisposable
{
    private readonly SubjectStateStore _store;
    private readonly ILogger _logger;
    private readonly TimeSpan _progressEvery;
    private readonly byte[] _last = new byte[LogLines.MaxLineBytes + 1];
    private readonly byte[] _reason = new byte[LogLines.MaxLineBytes];
    private readonly byte[] _reporterBytes = new byte[256];
    private readonly (byte[]? Text, int Id)[] _reasons = new (byte[]?, int)[256];
    private int _reporterLength = -1;
    private int _reporterId;
    private readonly Idempotency.BatchIdCollector? _batchIds;
    private readonly Stopwatch _stopwatch = new();
    private TimeCache _times;
    private TimeSpan _nextProgress;
    private long _lines;
    private long _done;
    private long _total;

    /// <param name="batchIds">Gathers the batch ids of the lines read (the log is read once at start), or null.</param>
    public StateReplayer(SubjectStateStore store, ILogger logger, TimeSpan progressEvery, Idempotency.BatchIdCollector? batchIds = null)
    {
        _store = store;
        _batchIds = batchIds;
        _logger = logger;
        _progressEvery = progressEvery;
    }

    /// <summary>Replays <paramref name="files"/> from <paramref name="startFile"/> at <paramref name="startOffset"/>.</summary>
    public ReplayResult Replay(IReadOnlyList<string> files, int startFile, long startOffset)
    {
        _stopwatch.Restart();
        _lines = 0;
        _done = 0;
        _total = 0;
        for (var i = startFile; i < files.Count; i++)
        {
            _total += new FileInfo(files[i]).Length;
        }

        _nextProgress = _progressEvery;
        StartApplier();
        try
        {
            for (var i = startFile; i < files.Count; i++)
            {
                ReplayFile(files[i], i == startFile ? startOffset : 0);
            }
        }
        finally
        {
            StopApplier();
        }

        _store.Lines += _lines;
        return new ReplayResult(_lines, files.Count - startFile, _stopwatch.Elapsed);
    }

    private void ReplayFile(string path, long from)
    {
        using var stream = LogFileSet.Open(path, out var file);
        using var _ = file;
        Skip(stream, file, from);
        long bad = 0, firstBad = -1, lastEnd = -1;
        var lastLength = 0;
        var head = from > 0 ? _store.Position?.Head : null;
        var plain = ReferenceEquals(stream, file); // its last line can be read back at the end instead of kept
        LogLines.ForEach(stream, (line, offset) =>
        {
            offset += from;
            if (++_lines % 65_536 == 0 && _stopwatch.Elapsed >= _nextProgress)
            {
                _nextProgress = _stopwatch.Elapsed + _progressEvery;
                Progress(_total == 0 ? 100 : (int)((_done + file.Position) * 100 / _total), path);
            }

            if (offset == 0)
            {
                head = HashLine(line);
            }

            if (!Apply(line))
            {
                firstBad = bad++ == 0 ? offset : firstBad;
            }

            if (!plain)
            {
                line.CopyTo(_last);
            }

            lastLength = line.Length;
            lastEnd = offset + line.Length + 1;
        });
        Flush();
        _done += file.Length;
        if (bad > 0)
        {
            _logger.StateUnreadableLines(path, bad, firstBad);
        }

        if (lastEnd > 0 && head is not null)
        {
            var last = _last.AsSpan(0, lastLength);
            if (plain && RandomAccess.Read(file.SafeFileHandle, last, lastEnd - lastLength - 1) != lastLength)
            {
                throw new IOException($"{path} changed while the state was replayed from it");
            }

            _store.Position = new LogPosition(head, lastEnd, HashLine(last), lastLength + 1);
        }
    }

    /// <summary>
    /// Takes one line (applied at the next <see cref="Flush"/>, at the latest); false when it is neither a report line
    /// nor an operator line (which goes to the store's <see cref="SubjectStateStore.Operator"/> ledger at once).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Apply(ReadOnlySpan<byte> line)
    {
        if (!StateLine.TryParse(line, out var parsed, ref _times))
        {
            return ApplyOperator(line);
        }

        _batchIds?.Line(line, parsed.Reporter, parsed.Batch, parsed.Size);

        var reporter = Reporter(parsed.Reporter);
        var reason = 0;
        if (!parsed.Reason.IsEmpty)
        {
            var text = parsed.Reason;
            if (parsed.ReasonEscaped)
            {
                var n = Unescape(text, _reason);
                if (n < 0)
                {
                    return false;
                }

                text = _reason.AsSpan(0, n);
            }

            reason = Reason(text);
        }

        ref var update = ref Next();
        update.Subject = parsed.Subject;
        update.First = parsed.First;
        update.Last = parsed.Last;
        update.Received = parsed.Received;
        update.Reporter = reporter;
        update.Reason = reason;
        update.Count = parsed.Count;
        update.Verb = parsed.Verb;
        Added();
        return true;
    }


    /// <summary>An operator line: its entry is independent of the subjects, so it need not wait for the applier.</summary>
    private bool ApplyOperator(ReadOnlySpan<byte> line)
    {
        if (!Operator.OperatorLogLine.IsOperatorLine(line) || !Operator.OperatorLogLine.TryParse(line, out var action))
        {
            return false;
        }

        _store.Operator.Apply(action!);
        return true;
    }

    /// <summary>SHA-256 of a line and its LF.</summary>
    public static byte[] HashLine(ReadOnlySpan<byte> line)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(line);
        hash.AppendData("\n"u8);
        return hash.GetHashAndReset();
    }

    /// <summary>Undoes <see cref="KarmaLogFormat"/>'s escapes; -1 for a malformed escape.</summary>
    internal static int Unescape(ReadOnlySpan<byte> text, Span<byte> output)
    {
        var n = 0;
        var i = 0;
        while (i < text.Length)
        {
            var b = text[i++];
            if (b != '\\')
            {
                output[n++] = b;
                continue;
            }

            if (!KarmaLogFormat.TryReadEscape(text, ref i, out output[n]))
            {
                return -1;
            }

            n++;
        }

        return n;
    }

    /// <summary>Reason id through a small direct-mapped cache of reason bytes (reasons repeat a lot).</summary>
    private int Reason(ReadOnlySpan<byte> text)
    {
        var key = (uint)text.Length * 0x9E37_79B1u;
        key ^= text[0] * 0x85EB_CA6Bu;
        key ^= text[^1] * 0xC2B2_AE35u;
        key ^= text[text.Length / 2] * 0x27D4_EB2Fu;
        ref var slot = ref _reasons[(key ^ (key >> 16)) & 0xFF];
        if (slot.Text is { } known && text.SequenceEqual(known))
        {
            return slot.Id;
        }

        var id = _store.Reasons.GetOrAddUtf8(text);
        slot = (text.ToArray(), id);
        return id;
    }

    /// <summary>Reporter id, cached for the run of lines of one batch.</summary>
    private int Reporter(ReadOnlySpan<byte> name)
    {
        if (name.Length == _reporterLength && name.SequenceEqual(_reporterBytes.AsSpan(0, _reporterLength)))
        {
            return _reporterId;
        }

        _reporterId = _store.Reporters.GetOrAddUtf8(name);
        _reporterLength = name.Length <= _reporterBytes.Length ? name.Length : -1;
        if (_reporterLength >= 0)
        {
            name.CopyTo(_reporterBytes);
        }

        return _reporterId;
    }

    private void Progress(int percent, string path) =>
        _logger.StateReplayProgress(_lines, Math.Min(percent, 100), (long)(_lines / Math.Max(_stopwatch.Elapsed.TotalSeconds, 0.001)), _store.Count, Path.GetFileName(path));

    /// <summary>Moves a fresh stream <paramref name="count"/> bytes in (a seek, or reading through a .gz).</summary>
    private static void Skip(Stream stream, FileStream file, long count)
    {
        if (count == 0)
        {
            return;
        }

        if (ReferenceEquals(stream, file))
        {
            file.Seek(count, SeekOrigin.Begin);
            return;
        }

        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (read == 0)
            {
                throw new EndOfStreamException("the log file is shorter than the snapshot's position");
            }

            count -= read;
        }
    }
}
