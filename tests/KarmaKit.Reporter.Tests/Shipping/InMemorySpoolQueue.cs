using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>
/// In-memory <see cref="ISpoolQueue"/> test double. The real journal is being written in parallel by another
/// engineer; this double holds records in a list and records BeginBatch, CompleteBatch and dead letters, with
/// the semantics the shipper assumes of the journal: BeginBatch replaces <see cref="PendingBatch"/>;
/// CompleteBatch advances <see cref="DeliveredThrough"/> to the batch's last sequence and clears it.
/// </summary>
internal sealed class InMemorySpoolQueue : ISpoolQueue
{
    private readonly Lock _lock = new();
    private readonly List<SpoolRecord> _records = [];
    private readonly List<InFlightBatch> _begun = [];
    private readonly List<(InFlightBatch Batch, BatchOutcome Outcome)> _completed = [];
    private readonly List<(InFlightBatch Batch, string Body, string Reason)> _deadLetters = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _deliveredThrough;
    private InFlightBatch? _pending;

    public string SpoolId { get; init; } = "s1";

    public long DeliveredThrough
    {
        get { lock (_lock) { return _deliveredThrough; } }
        init => _deliveredThrough = value;
    }

    public InFlightBatch? PendingBatch
    {
        get { lock (_lock) { return _pending; } }
        init => _pending = value;
    }

    /// <summary>When set, CompleteBatch throws this once (a crash between delivery and the spool update).</summary>
    public Exception? FailNextComplete { get; set; }

    public List<InFlightBatch> Begun => Snapshot(_begun);

    public List<(InFlightBatch Batch, BatchOutcome Outcome)> Completed => Snapshot(_completed);

    public List<(InFlightBatch Batch, string Body, string Reason)> DeadLetters => Snapshot(_deadLetters);

    public void Append(params IEnumerable<SpoolRecord> records)
    {
        lock (_lock)
        {
            _records.AddRange(records);
            Changed();
        }
    }

    public async ValueTask WaitForRecordsAsync(long afterSequence, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(() => _records.Count > 0 && _records[^1].Sequence > afterSequence, Timeout.InfiniteTimeSpan, cancellationToken);
    }

    public int Read(long afterSequence, long throughSequence, int maxRecords, List<SpoolRecord> destination)
    {
        lock (_lock)
        {
            var added = 0;
            foreach (var record in _records)
            {
                if (added == maxRecords || record.Sequence > throughSequence)
                {
                    break;
                }

                if (record.Sequence > afterSequence)
                {
                    destination.Add(record);
                    added++;
                }
            }

            return added;
        }
    }

    public void BeginBatch(InFlightBatch batch)
    {
        lock (_lock)
        {
            _begun.Add(batch);
            _pending = batch;
            Changed();
        }
    }

    public void CompleteBatch(InFlightBatch batch, BatchOutcome outcome)
    {
        lock (_lock)
        {
            if (FailNextComplete is { } failure)
            {
                FailNextComplete = null;
                Changed();
                throw failure;
            }

            _completed.Add((batch, outcome));
            _deliveredThrough = batch.LastSequence;
            _pending = null;
            Changed();
        }
    }

    public void WriteDeadLetter(InFlightBatch batch, string body, string reason)
    {
        lock (_lock)
        {
            _deadLetters.Add((batch, body, reason));
            Changed();
        }
    }

    /// <summary>Completes once <paramref name="condition"/> holds (checked under the lock after every change).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition())
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cts.Token);
        }
    }

    /// <summary>Waits until everything through <paramref name="sequence"/> is delivered or dead-lettered.</summary>
    public Task WaitForDeliveredThroughAsync(long sequence) =>
        WaitUntilAsync(() => _deliveredThrough >= sequence, TimeSpan.FromSeconds(10));

    private void Changed()
    {
        var changed = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_lock)
        {
            return [.. list];
        }
    }
}
