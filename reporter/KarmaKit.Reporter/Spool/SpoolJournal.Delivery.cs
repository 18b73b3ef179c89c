using System.Text.Json;

namespace KarmaKit.Reporter.Spool;

/// <summary>The delivery side: the batch in flight, the delivered watermark, freeing segments, dead letters.</summary>
internal sealed partial class SpoolJournal
{
    private readonly Lock _stateLock = new();
    private readonly Lock _deadLetterLock = new();
    private SpoolState _state = new();

    public long DeliveredThrough => Volatile.Read(ref _state).DeliveredThrough;

    public InFlightBatch? PendingBatch => Volatile.Read(ref _state).Pending;

    /// <summary>Batches written to the dead-letter file over the spool's life.</summary>
    public long DeadLetteredBatches => Volatile.Read(ref _state).DeadLetteredBatches;

    /// <summary>When the collector last accepted a batch.</summary>
    public DateTime? LastDelivery => Volatile.Read(ref _state).LastDelivery;

    public void BeginBatch(InFlightBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            CheckRange(batch);
            Save(_state with { Pending = batch });
        }
    }

    public void CompleteBatch(InFlightBatch batch, BatchOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            CheckRange(batch);
            var state = _state;
            var pending = state.Pending is { } p && p.LastSequence <= batch.LastSequence ? null : state.Pending;
            if (batch.LastSequence <= state.DeliveredThrough && pending == state.Pending)
            {
                return;
            }

            Save(state with
            {
                DeliveredThrough = Math.Max(state.DeliveredThrough, batch.LastSequence),
                Pending = pending,
                DeadLetteredBatches = state.DeadLetteredBatches + (outcome == BatchOutcome.DeadLettered ? 1 : 0),
                LastDelivery = outcome == BatchOutcome.Delivered ? _time.GetUtcNow().UtcDateTime : state.LastDelivery,
            });
        }

        FreeSegments();
    }

    public void WriteDeadLetter(InFlightBatch batch, string body, string reason)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(reason);
        var letter = new DeadLetter(_time.GetUtcNow().UtcDateTime, batch.Id, batch.FirstSequence, batch.LastSequence, reason, body);
        var line = JsonSerializer.SerializeToUtf8Bytes(letter, SpoolJsonContext.Default.DeadLetter);
        lock (_deadLetterLock)
        {
            var created = !File.Exists(_paths.DeadLetters);
            using (var file = File.OpenHandle(_paths.DeadLetters, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
            {
                var end = RandomAccess.GetLength(file);
                Span<byte> last = stackalloc byte[1];
                if (end > 0 && (RandomAccess.Read(file, last, end - 1) != 1 || last[0] != (byte)'\n'))
                {
                    // A line torn by a crash stays on its own line.
                    RandomAccess.Write(file, "\n"u8, end++);
                }

                RandomAccess.Write(file, line, end);
                RandomAccess.Write(file, "\n"u8, end + line.Length);
                SpoolFiles.Flush(file);
            }

            if (created)
            {
                SpoolFiles.FlushDirectory(_paths.Directory);
            }
        }

        _logger.DeadLetterWritten(batch.Id, batch.FirstSequence, batch.LastSequence, _paths.DeadLetters, reason);
    }

    private void CheckRange(InFlightBatch batch)
    {
        // Sequences handed out before this open count too: a pending batch may name records lost since (Write mode).
        var issued = Math.Max(CommittedSequence, _openedThrough);
        if (batch.FirstSequence < 1 || batch.LastSequence < batch.FirstSequence || batch.LastSequence > issued)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"a batch must cover issued sequences 1..{issued}, first before last");
        }
    }

    /// <summary>Writes the state durably, then publishes it; the floor keeps sequences unique after every segment is gone.</summary>
    private void Save(SpoolState state)
    {
        state = state with { SequenceFloor = Math.Max(state.SequenceFloor, CommittedSequence) };
        state.Save(_paths.State);
        Volatile.Write(ref _state, state);
    }

    /// <summary>Deletes, oldest first, every segment that is not the active one and holds only delivered records.</summary>
    private void FreeSegments()
    {
        var delivered = DeliveredThrough;
        lock (_segmentsLock)
        {
            while (_segments.Count > 1 && _segments[0].LastSequence <= delivered)
            {
                var segment = _segments[0];
                if (!TryDelete(segment.Path))
                {
                    break;
                }

                _segments.RemoveAt(0);
                Interlocked.Add(ref _totalBytes, -segment.Length);
                _logger.SegmentFreed(segment.Path, segment.Length, delivered);
            }
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.SegmentFreeFailed(ex, path);
            return false;
        }
    }
}
