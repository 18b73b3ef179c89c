using System.Diagnostics;
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
internal sealed class StateReplayer
{
    private readonly SubjectStateStore _store;
    private readonly ILogger _logger;
    private readonly TimeSpan _progressEvery;
    private readonly byte[] _last = new byte[LogLines.MaxLineBytes + 1];
    private readonly byte[] _reason = new byte[LogLines.MaxLineBytes];
    private readonly byte[] _reporterBytes = new byte[256];
    private int _reporterLength = -1;
    private int _reporterId;

    public StateReplayer(SubjectStateStore store, ILogger logger, TimeSpan progressEvery)
    {
        _store = store;
        _logger = logger;
        _progressEvery = progressEvery;
    }

    /// <summary>Replays <paramref name="files"/> from <paramref name="startFile"/> at <paramref name="startOffset"/>.</summary>
    public ReplayResult Replay(IReadOnlyList<string> files, int startFile, long startOffset)
    {
        var stopwatch = Stopwatch.StartNew();
        long total = 0, done = 0, lines = 0;
        for (var i = startFile; i < files.Count; i++)
        {
            total += new FileInfo(files[i]).Length;
        }

        var nextProgress = _progressEvery;
        for (var i = startFile; i < files.Count; i++)
        {
            var path = files[i];
            var from = i == startFile ? startOffset : 0;
            using var stream = LogFileSet.Open(path, out var file);
            using var _ = file;
            Skip(stream, file, from);
            long bad = 0, firstBad = -1, lastEnd = -1;
            var lastLength = 0;
            byte[]? head = i == startFile && from > 0 ? _store.Position?.Head : null;
            LogLines.ForEach(stream, (line, offset) =>
            {
                offset += from;
                if (++lines % 65_536 == 0 && stopwatch.Elapsed >= nextProgress)
                {
                    nextProgress = stopwatch.Elapsed + _progressEvery;
                    Progress(lines, total == 0 ? 100 : (int)((done + file.Position) * 100 / total), stopwatch.Elapsed, path);
                }

                if (offset == 0)
                {
                    head = HashLine(line);
                }

                if (!Apply(line))
                {
                    firstBad = bad++ == 0 ? offset : firstBad;
                }

                line.CopyTo(_last);
                lastLength = line.Length;
                lastEnd = offset + line.Length + 1;
            });
            done += file.Length;
            if (bad > 0)
            {
                _logger.StateUnreadableLines(path, bad, firstBad);
            }

            if (lastEnd > 0 && head is not null)
            {
                _store.Position = new LogPosition(head, lastEnd, HashLine(_last.AsSpan(0, lastLength)), lastLength + 1);
            }
        }

        _store.Lines += lines;
        return new ReplayResult(lines, files.Count - startFile, stopwatch.Elapsed);
    }

    /// <summary>Applies one line; false when it is not a report line.</summary>
    public bool Apply(ReadOnlySpan<byte> line)
    {
        if (!StateLine.TryParse(line, out var parsed))
        {
            return false;
        }

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

            reason = _store.Reasons.GetOrAddUtf8(text);
        }

        _store.Apply(reporter, parsed.Verb, parsed.Subject, parsed.Count, parsed.First, parsed.Last, parsed.Received, reason);
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
        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            if (b != '\\')
            {
                output[n++] = b;
                continue;
            }

            if (++i >= text.Length)
            {
                return -1;
            }

            switch (text[i])
            {
                case (byte)'\\' or (byte)'"':
                    output[n++] = text[i];
                    break;
                case (byte)'n':
                    output[n++] = (byte)'\n';
                    break;
                case (byte)'r':
                    output[n++] = (byte)'\r';
                    break;
                case (byte)'t':
                    output[n++] = (byte)'\t';
                    break;
                case (byte)'x' when i + 2 < text.Length && char.IsAsciiHexDigit((char)text[i + 1]) && char.IsAsciiHexDigit((char)text[i + 2]):
                    output[n++] = (byte)((Hex(text[i + 1]) << 4) | Hex(text[i + 2]));
                    i += 2;
                    break;
                default:
                    return -1;
            }
        }

        return n;
    }

    private static int Hex(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

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

    private void Progress(long lines, int percent, TimeSpan elapsed, string path) =>
        _logger.StateReplayProgress(lines, Math.Min(percent, 100), (long)(lines / Math.Max(elapsed.TotalSeconds, 0.001)), _store.Count, Path.GetFileName(path));

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
