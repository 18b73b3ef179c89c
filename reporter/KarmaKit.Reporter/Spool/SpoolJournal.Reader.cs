namespace KarmaKit.Reporter.Spool;

/// <summary>The shipper's reading side: ordered reads from disk with a cached position, and waiting for records.</summary>
internal sealed partial class SpoolJournal
{
    private readonly Lock _readLock = new();
    private SegmentCursor? _readCursor;
    private JournalSegment? _readSegment;

    /// <summary>The cursor has passed every record up to here, and only those.</summary>
    private long _readThrough = -1;

    public ValueTask WaitForRecordsAsync(long afterSequence, CancellationToken cancellationToken) =>
        CommittedSequence > afterSequence ? ValueTask.CompletedTask : WaitSlowAsync(afterSequence, cancellationToken);

    private async ValueTask WaitSlowAsync(long afterSequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _recordsSignal);
            if (signal is null)
            {
                var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _recordsSignal, fresh, null) ?? fresh;
            }

            if (CommittedSequence > afterSequence)
            {
                return;
            }

            ObjectDisposedException.ThrowIf(IsDisposed, this);
            await signal.Task.WaitAsync(cancellationToken);
        }
    }

    public int Read(long afterSequence, long throughSequence, int maxRecords, List<SpoolRecord> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        afterSequence = Math.Max(afterSequence, DeliveredThrough);
        throughSequence = Math.Min(throughSequence, CommittedSequence);
        if (maxRecords <= 0 || afterSequence >= throughSequence)
        {
            return 0;
        }

        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            Position(afterSequence);
            var added = 0;
            while (added < maxRecords && _readCursor is not null && _readSegment is not null)
            {
                _readCursor.Limit = _readSegment.Length;
                var status = _readCursor.Peek(out var record, out var sequence);
                if (status == CursorStatus.End)
                {
                    if (!MoveToNextSegment())
                    {
                        break;
                    }

                    continue;
                }

                if (status == CursorStatus.Torn)
                {
                    var at = $"{_readSegment.Path} offset {_readCursor.Position}";
                    DropCursor();
                    throw new InvalidDataException($"spool record at {at} is damaged; restart the agent to set it aside");
                }

                if (sequence > throughSequence)
                {
                    break;
                }

                if (sequence > afterSequence)
                {
                    destination.Add(SpoolRecordCodec.Read(record));
                    added++;
                }

                _readCursor.Advance(record.Length);
                _readThrough = sequence;
            }

            return added;
        }
    }

    /// <summary>Keeps the cached cursor when it is at or just behind the wanted place, else seeks from the segment start.</summary>
    private void Position(long afterSequence)
    {
        if (_readCursor is not null && _readSegment is not null && _readThrough <= afterSequence
            && (afterSequence <= _readSegment.LastSequence || _readThrough == afterSequence))
        {
            return;
        }

        DropCursor();

        // Opened under the segments lock, so a segment cannot be freed between choosing and opening it.
        lock (_segmentsLock)
        {
            JournalSegment? target = null;
            foreach (var segment in _segments)
            {
                if (target is not null && segment.FirstSequence > afterSequence + 1)
                {
                    break;
                }

                target = segment;
            }

            if (target is not null)
            {
                Open(target);
            }
        }
    }

    private bool MoveToNextSegment()
    {
        lock (_segmentsLock)
        {
            var next = _segments.Find(s => s.FirstSequence > _readSegment!.FirstSequence);
            if (next is null)
            {
                return false;
            }

            if (_readSegment!.Length > _readCursor!.Position)
            {
                // The segment grew after this read took its limit; it is final now that a newer one exists.
                return true;
            }

            var through = _readThrough;
            DropCursor();
            Open(next);
            _readThrough = through;
            return true;
        }
    }

    private void Open(JournalSegment segment)
    {
        _readCursor = SegmentCursor.Open(segment.Path, SpoolRecordCodec.SegmentHeaderSize, segment.Length);
        _readSegment = segment;
        _readThrough = segment.FirstSequence - 1;
    }

    private void DropCursor()
    {
        _readCursor?.Dispose();
        _readCursor = null;
        _readSegment = null;
        _readThrough = -1;
    }
}
