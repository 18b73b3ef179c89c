using System.Text;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Idempotency;

/// <summary>
/// Gathers the batch ids of the window from karma.log lines as another reader parses them (the state replay, or
/// <see cref="BatchIdScanner"/>), so the log is read once at start. A batch's lines are contiguous and share one
/// receive time: a run of lines with the same reporter and batch bytes is compared bytewise, and only its first line
/// costs strings. A batch counts as taken only when all <c>size</c> of its lines are found (its runs added up): a
/// batch cut short by a crash was never answered 200, so its resend must be appended.
/// </summary>
internal sealed class BatchIdCollector
{
    private readonly DateTime _cutoff;
    private readonly Dictionary<BatchKey, (TakenBatch Batch, int Lines)> _found = new(BatchIdIndex.Comparer);
    private readonly List<BatchKey> _order = [];
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly byte[] _reporter = new byte[256];
    private readonly byte[] _batch = new byte[Protocol.ProtocolLimits.MaxBatchIdLength];
    private int _reporterLength;
    private int _batchLength = -1;
    private BatchKey? _key;
    private TakenBatch _taken;
    private int _lines;

    /// <param name="cutoff">Batches received before it are followed (their lines skipped fast) but not counted.</param>
    public BatchIdCollector(DateTime cutoff) => _cutoff = cutoff;

    /// <summary>One report line, in log order: its whole text, and its reporter, batch (empty: none) and size fields.</summary>
    public void Line(ReadOnlySpan<byte> line, ReadOnlySpan<byte> reporter, ReadOnlySpan<byte> batch, int size)
    {
        if (_batchLength > 0 && batch.SequenceEqual(_batch.AsSpan(0, _batchLength)) && reporter.SequenceEqual(_reporter.AsSpan(0, _reporterLength)))
        {
            _lines++;
            return;
        }

        EndRun();
        if (batch.IsEmpty || batch.Length > _batch.Length || reporter.Length > _reporter.Length || size < 1
            || !KarmaLogParser.TryTime(line[..Math.Min(line.Length, KarmaLogFormat.TimeLength)], out var received))
        {
            return; // no batch id (the compatibility wire), or not a batch this collector could have written
        }

        batch.CopyTo(_batch);
        reporter.CopyTo(_reporter);
        (_batchLength, _reporterLength, _lines) = (batch.Length, reporter.Length, 1);
        if (received >= _cutoff && System.Text.Ascii.IsValid(reporter) && System.Text.Ascii.IsValid(batch))
        {
            _key = new BatchKey(Name(reporter), Encoding.ASCII.GetString(batch));
            _taken = new TakenBatch(received, size);
        }
    }

    /// <summary>One string per reporter name for all of its batches (the index holds a week of them).</summary>
    private string Name(ReadOnlySpan<byte> reporter)
    {
        Span<char> chars = stackalloc char[reporter.Length];
        System.Text.Ascii.ToUtf16(reporter, chars, out _);
        var names = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!names.TryGetValue(chars, out var name))
        {
            name = new string(chars);
            _names.Add(name, name);
        }

        return name;
    }

    /// <summary>Batches whose lines were all found, in the order they were first seen (receive order).</summary>
    public int AddTo(BatchIdIndex index, ILogger logger)
    {
        EndRun();
        var added = 0;
        foreach (var key in _order)
        {
            var (batch, lines) = _found[key];
            if (lines >= batch.Reports)
            {
                index.Add(key, batch);
                added++;
            }
            else
            {
                logger.IncompleteBatch(key.Batch, key.Reporter, lines, batch.Reports);
            }
        }

        return added;
    }

    private void EndRun()
    {
        if (_key is { } key)
        {
            if (_found.TryGetValue(key, out var seen))
            {
                _found[key] = seen with { Lines = seen.Lines + _lines };
            }
            else
            {
                _found.Add(key, (_taken, _lines));
                _order.Add(key);
            }
        }

        (_key, _batchLength, _lines) = (null, -1, 0);
    }
}
