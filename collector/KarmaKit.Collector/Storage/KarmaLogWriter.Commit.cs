using KarmaKit.Collector.Idempotency;

namespace KarmaKit.Collector.Storage;

internal sealed partial class KarmaLogWriter
{
    private void Commit(List<LogWork> group)
    {
        if (Volatile.Read(ref _broken) is { } broken)
        {
            FailAll(group, broken);
            return;
        }

        var now = Now();
        _ids.Prune(now);
        _buffer.ResetWrittenCount();
        _pending.Clear();
        _appended.Clear();
        _actions.Clear();
        int unbatched = 0, unbatchedWork = 0;
        foreach (var work in group)
        {
            if (work.Operator is { } request)
            {
                var action = Operator.OperatorAction.From(request, now);
                Operator.OperatorLogLine.Write(_buffer, action);
                _actions.Add(action);
                work.Action = action;
                unbatchedWork++; // neither a batch nor a duplicate
            }
            else if (work.Key.Batch.Length == 0)
            {
                // Compatibility wire: no batch id, so nothing to deduplicate and nothing for the index.
                foreach (var report in work.Reports!)
                {
                    KarmaLogFormat.Write(_buffer, ref _times, now, work.Key.Reporter, "", 0, report);
                }

                unbatched += work.Reports!.Count;
                unbatchedWork++;
                _appended.Add(new AppendedBatch(work.Key.Reporter, work.Reports));
                work.Result = new AppendResult(work.Reports.Count, Duplicate: false);
            }
            else if (_ids.TryGet(work.Key, out var taken))
            {
                work.Result = new AppendResult(taken.Reports, Duplicate: true);
            }
            else if (_pending.TryGetValue(work.Key, out var reports))
            {
                work.Result = new AppendResult(reports, Duplicate: true);
            }
            else
            {
                var size = work.Reports!.Count;
                foreach (var report in work.Reports)
                {
                    KarmaLogFormat.Write(_buffer, ref _times, now, work.Key.Reporter, work.Key.Batch, size, report);
                }

                _pending.Add(work.Key, size);
                _appended.Add(new AppendedBatch(work.Key.Reporter, work.Reports));
                work.Result = new AppendResult(size, Duplicate: false);
            }
        }

        if (_buffer.WrittenCount > 0 && !WriteAndSync())
        {
            FailAll(group, new IOException($"karma.log {Path} could not be written"));
            return;
        }

        var whites = 0;
        foreach (var batch in _appended)
        {
            foreach (var report in batch.Reports)
            {
                whites += report.Verb == KarmaKit.Protocol.Verb.White ? 1 : 0;
            }
        }

        Interlocked.Add(ref _whiteReports, whites);
        Interlocked.Add(ref _operatorActions, _actions.Count);
        foreach (var (key, reports) in _pending)
        {
            _ids.Add(key, new TakenBatch(now, reports));
            Interlocked.Add(ref _reports, reports);
        }

        Interlocked.Add(ref _reports, unbatched);
        Interlocked.Add(ref _batches, _pending.Count);
        Interlocked.Add(ref _duplicates, group.Count - _pending.Count - unbatchedWork);
        _metrics?.GroupCommitSize.Observe(group.Count);
        Notify(now);
        foreach (var work in group)
        {
            work.Completion.TrySetResult(work.Result);
        }
    }

    /// <summary>One write, one fdatasync; on failure the file is cut back to where it was, or the writer is broken.</summary>
    private bool WriteAndSync()
    {
        var before = _file.Position;
        try
        {
            _file.Write(_buffer.WrittenSpan);
            var syncStart = _time.GetTimestamp();
            FileSync.DataSync(_file);
            _metrics?.FsyncSeconds.Observe(_time.GetElapsedTime(syncStart).TotalSeconds);
            Interlocked.Increment(ref _syncs);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            try
            {
                _file.SetLength(before);
                _file.Position = before;
                FileSync.DataSync(_file);
                _logger.LogWriteFailed(ex, Path, before);
            }
            catch (Exception undo) when (undo is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Volatile.Write(ref _broken, undo);
                _logger.LogBroken(undo, Path, before);
            }

            return false;
        }
    }

    /// <summary>Tells the observer of a durable group, before its requests are answered; its failure is only logged.</summary>
    private void Notify(DateTime now)
    {
        if (_observer is null || _appended.Count + _actions.Count == 0)
        {
            return;
        }

        try
        {
            _observer.Appended(new KarmaLogAppend
            {
                Received = now,
                Generation = _generation,
                Start = _file.Position - _buffer.WrittenCount,
                Bytes = _buffer.WrittenSpan,
                Batches = _appended,
                Actions = _actions.Count == 0 ? null : _actions,
            });
        }
        catch (Exception ex)
        {
            _logger.ObserverFailed(ex, Path);
        }
    }

    private static void FailAll(List<LogWork> group, Exception error)
    {
        foreach (var work in group)
        {
            work.Completion.TrySetException(error);
        }
    }
}
