using System.Buffers;
using System.Threading.Channels;
using KarmaKit.Protocol;
using KarmaKit.Reporter.Configuration;

namespace KarmaKit.Reporter.Spool;

/// <summary>The append side: one writer loop, group commit, the size cap.</summary>
internal sealed partial class SpoolJournal
{
    private const int GroupBufferBytes = 256 * 1024;

    // Writer-loop state: touched only by RunWriter (and Recover before it starts).
    private readonly List<(AppendRequest Request, AppendResult Result)> _done = [];
    private byte[] _groupBuffer = ArrayPool<byte>.Shared.Rent(GroupBufferBytes);
    private JournalSegment _active = null!;
    private long _nextSequence;
    private AppendRequest? _carry;
    private volatile bool _faulted;
    private long _flushCount;
    private long _dataFlushCount;
    private long _groupCount;

    /// <summary>How many fsyncs made appends durable (tests check that concurrent appends share them).</summary>
    internal long FlushCount => Interlocked.Read(ref _flushCount);

    /// <summary>How many of those were data-only syncs into zeroed-ahead space (no metadata to commit).</summary>
    internal long DataFlushCount => Interlocked.Read(ref _dataFlushCount);

    /// <summary>How many group writes the loop made.</summary>
    internal long GroupCount => Interlocked.Read(ref _groupCount);

    public ValueTask<AppendResult> AppendAsync(ReadOnlyMemory<SpoolEntry> entries, CancellationToken cancellationToken)
    {
        var bytes = Measure(entries);
        cancellationToken.ThrowIfCancellationRequested();
        if (_faulted || IsDisposed)
        {
            return ValueTask.FromResult(new AppendResult(AppendStatus.Unavailable, 0));
        }

        // Once queued, an append runs to its durable end: a cancelled caller cannot take back bytes being written.
        var request = AppendRequest.Rent(_requestPool, entries, _time.GetUtcNow().ToUnixTimeMilliseconds(), bytes);
        return _queue.Writer.TryWrite(request) ? request.AsValueTask() : AnswerAfterRoomAsync(request, cancellationToken);
    }

    /// <summary>The listener's direct path: the writer thread calls <paramref name="completion"/> right after the fsync.</summary>
    public void Append(ReadOnlyMemory<SpoolEntry> entries, IAppendCompletion completion)
    {
        var bytes = Measure(entries);
        if (_faulted || IsDisposed)
        {
            completion.OnAppended(new AppendResult(AppendStatus.Unavailable, 0), null);
            return;
        }

        var request = AppendRequest.Rent(_requestPool, entries, _time.GetUtcNow().ToUnixTimeMilliseconds(), bytes, completion);
        if (!_queue.Writer.TryWrite(request))
        {
            _ = EnqueueWhenRoomAsync(request, CancellationToken.None);
        }
    }

    private static int Measure(ReadOnlyMemory<SpoolEntry> entries)
    {
        if (entries.IsEmpty)
        {
            throw new ArgumentException("nothing to append", nameof(entries));
        }

        var bytes = 0;
        foreach (ref readonly var entry in entries.Span)
        {
            if (entry.Verb is not (Verb.Black or Verb.White) || entry.Reason.Length > ProtocolLimits.MaxReasonBytes)
            {
                throw new ArgumentException($"entry has verb {entry.Verb} and a {entry.Reason.Length}-byte reason", nameof(entries));
            }

            bytes += SpoolRecordCodec.SizeOf(entry);
        }

        return bytes;
    }

    /// <summary>The queue is full (4096 appends waiting on the disk): wait for room, or answer Unavailable once closing.</summary>
    private async Task EnqueueWhenRoomAsync(AppendRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            request.Complete(new AppendResult(AppendStatus.Unavailable, 0));
        }
    }

    private async ValueTask<AppendResult> AnswerAfterRoomAsync(AppendRequest request, CancellationToken cancellationToken)
    {
        await EnqueueWhenRoomAsync(request, cancellationToken);
        return await request.AsValueTask();
    }

    private void RunWriter()
    {
        var reader = _queue.Reader;
        while (_carry is not null || WaitForAppends(reader))
        {
            bool written;
            try
            {
                written = CollectAndWrite(reader);
            }
            catch (Exception ex)
            {
                // A bug, not an I/O error: refuse everything from now on rather than leave callers waiting forever.
                _faulted = true;
                _logger.JournalFaulted(ex, _active.Path);
                for (var i = 0; i < _done.Count; i++)
                {
                    _done[i] = (_done[i].Request, new AppendResult(AppendStatus.Unavailable, 0));
                }

                written = false;
            }

            foreach (var (request, result) in _done)
            {
                try
                {
                    request.Complete(result);
                }
                catch (Exception ex)
                {
                    // A direct completion broke its contract (it must not throw); the others still get their answer.
                    _logger.CompletionFailed(ex);
                }
            }

            _done.Clear();
            if (written)
            {
                Interlocked.Exchange(ref _recordsSignal, null)?.TrySetResult();
                ZeroAhead();
            }
        }

        ArrayPool<byte>.Shared.Return(_groupBuffer);
    }

    /// <summary>Blocks the writer thread until an append is queued; false once the queue is completed and empty.</summary>
    private static bool WaitForAppends(ChannelReader<AppendRequest> reader)
    {
        var ready = reader.WaitToReadAsync();
        return ready.IsCompletedSuccessfully ? ready.Result : ready.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Takes every queued append that fits into one write in one segment, writes and syncs it once.</summary>
    private bool CollectAndWrite(ChannelReader<AppendRequest> reader)
    {
        var active = _active;
        var groupBytes = 0;
        var groupStart = _done.Count;
        var firstSequence = _nextSequence;
        while (TryTake(reader, out var request))
        {
            if (_faulted)
            {
                _done.Add((request, new AppendResult(AppendStatus.Unavailable, 0)));
                continue;
            }

            if (TotalBytes + groupBytes + request.Bytes > _options.MaxBytes)
            {
                RefuseFull(request);
                continue;
            }

            if (groupBytes > 0 && (active.Length + groupBytes + request.Bytes > _options.SegmentBytes || groupBytes + request.Bytes > _groupBuffer.Length))
            {
                _carry = request;
                break;
            }

            if (groupBytes == 0 && active.HasRecords && active.Length + request.Bytes > _options.SegmentBytes)
            {
                if (!TryRollOver(ref active))
                {
                    _done.Add((request, new AppendResult(AppendStatus.Unavailable, 0)));
                    continue;
                }

                firstSequence = _nextSequence;
            }

            if (request.Bytes > _groupBuffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_groupBuffer);
                _groupBuffer = ArrayPool<byte>.Shared.Rent(request.Bytes);
            }

            _done.Add((request, new AppendResult(AppendStatus.Ok, _nextSequence)));
            foreach (ref readonly var entry in request.Entries.Span)
            {
                groupBytes += SpoolRecordCodec.Write(_groupBuffer.AsSpan(groupBytes), _nextSequence++, request.ReceivedUnixMs, entry);
            }
        }

        return groupBytes > 0 && Commit(active, groupBytes, firstSequence, groupStart);
    }

    private bool TryTake(ChannelReader<AppendRequest> reader, out AppendRequest request)
    {
        if (_carry is not null)
        {
            request = _carry;
            _carry = null;
            return true;
        }

        return reader.TryRead(out request!);
    }

    /// <summary>Writes the group with one write and makes it durable with one fsync, then publishes it to readers.</summary>
    private bool Commit(JournalSegment active, int groupBytes, long firstSequence, int groupStart)
    {
        var flushing = false;
        try
        {
            RandomAccess.Write(_activeHandle, _groupBuffer.AsSpan(0, groupBytes), active.Length);
            if (_options.Durability == Durability.Fsync)
            {
                flushing = true;
                if (active.Length + groupBytes <= active.Allocated)
                {
                    SpoolFiles.FlushData(_activeHandle);
                    Interlocked.Increment(ref _dataFlushCount);
                }
                else
                {
                    SpoolFiles.Flush(_activeHandle);
                }

                Interlocked.Increment(ref _flushCount);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.AppendFailed(ex, _done.Count - groupStart, active.Path);
            _nextSequence = firstSequence;
            for (var i = groupStart; i < _done.Count; i++)
            {
                _done[i] = (_done[i].Request, new AppendResult(AppendStatus.Unavailable, 0));
            }

            Truncate(active, flushing ? ex : null);
            return false;
        }

        Interlocked.Increment(ref _groupCount);
        active.Allocated = Math.Max(active.Allocated, active.Length + groupBytes);
        active.Length += groupBytes;
        active.LastSequence = _nextSequence - 1;
        Interlocked.Add(ref _totalBytes, groupBytes);
        Volatile.Write(ref _committedSequence, _nextSequence - 1);
        NoteAccepted();
        return true;
    }

    /// <summary>Cuts a failed write back to the durable length; after a failed fsync nothing written can be trusted.</summary>
    private void Truncate(JournalSegment active, Exception? flushFailure)
    {
        try
        {
            RandomAccess.SetLength(_activeHandle, active.Length);
            active.Allocated = active.Length; // the zeros past it went with the cut
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            flushFailure ??= ex;
        }

        if (flushFailure is not null)
        {
            _faulted = true;
            _logger.JournalFaulted(flushFailure, active.Path);
        }
    }

    /// <summary>Seals the active segment and starts the next one, named after the next sequence.</summary>
    private bool TryRollOver(ref JournalSegment active)
    {
        JournalSegment next;
        var path = _paths.Segment(_nextSequence);
        try
        {
            next = CreateSegment(_nextSequence);
            var handle = OpenSegment(next.Path);
            TrimZeroedAhead(active);
            _activeHandle.Dispose();
            _activeHandle = handle;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.AppendFailed(ex, 1, path);
            TryDelete(path);
            return false;
        }

        Interlocked.Add(ref _totalBytes, next.Length);
        lock (_segmentsLock)
        {
            _segments.Add(next);
        }

        active = _active = next;
        FreeSegments();
        return true;
    }
}
