using System.Collections.Concurrent;

namespace KarmaKit.Collector.State;

/// <summary>
/// The replay's two stages on two threads: this thread reads and parses lines into batches of
/// <see cref="StateUpdate"/>; an applier thread applies them in order (<see cref="SubjectStateStore.ApplyBatch"/>).
/// Parsing is CPU work and applying waits on memory, so on two cores they overlap.
/// </summary>
internal sealed partial class StateReplayer
{
    private const int BatchSize = 4096;
    private const int Batches = 6;

    private readonly BlockingCollection<(StateUpdate[] Items, int Count)> _full = new(Batches);
    private readonly BlockingCollection<StateUpdate[]> _empty = new(Batches);
    private Task? _applier;
    private Exception? _failure;
    private StateUpdate[]? _current;
    private int _batched;

    public void Dispose()
    {
        _full.Dispose();
        _empty.Dispose();
    }

    private void StartApplier()
    {
        while (_empty.Count + (_current is null ? 0 : 1) < Batches)
        {
            _empty.Add(new StateUpdate[BatchSize]);
        }

        _applier = Task.Factory.StartNew(ApplyAll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void StopApplier()
    {
        _full.CompleteAdding();
        _applier?.Wait();
    }

    private ref StateUpdate Next()
    {
        _current ??= _empty.Take();
        return ref _current[_batched];
    }

    private void Added()
    {
        if (++_batched == BatchSize)
        {
            Submit();
        }
    }

    private void Submit()
    {
        if (_current is not null && _batched > 0)
        {
            _full.Add((_current, _batched));
            _current = null;
        }

        _batched = 0;
    }

    /// <summary>Applies everything taken so far and waits for it, so the store is complete up to the last line read.</summary>
    public void Flush()
    {
        Submit();
        var all = new StateUpdate[Batches - (_current is null ? 0 : 1)][];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = _empty.Take();
        }

        foreach (var batch in all)
        {
            _empty.Add(batch);
        }

        if (_failure is not null)
        {
            throw new InvalidOperationException("applying karma.log lines to the state failed", _failure);
        }
    }

    private void ApplyAll()
    {
        foreach (var (items, count) in _full.GetConsumingEnumerable())
        {
            try
            {
                _store.ApplyBatch(items.AsSpan(0, count));
            }
            catch (Exception ex)
            {
                _failure = ex;
            }

            _empty.Add(items);
        }
    }
}
