using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Shipping;

internal sealed partial class BatchShipper
{
    /// <summary>
    /// Waits for the first record after <see cref="ISpoolQueue.DeliveredThrough"/>, then takes records until the
    /// batch is full (count or bytes) or <see cref="Configuration.ShippingOptions.MaxBatchAge"/> has passed since
    /// the first record arrived (by its receive time or when it was seen, whichever is earlier, so a backlog goes at once).
    /// </summary>
    private async Task CollectAsync(CancellationToken cancellationToken)
    {
        var after = _spool.DeliveredThrough;
        _builder.Reset(Math.Min(_maxRecords, _options.MaxBatchReports), _options.MaxBatchBytes);
        _status.Waiting();
        await _spool.WaitForRecordsAsync(after, cancellationToken);
        var seen = _timeProvider.GetUtcNow();
        if (!TakeMore(ref after))
        {
            throw new InvalidOperationException($"the spool announced records after {after} but returned none");
        }

        var received = new DateTimeOffset(BatchBuilder.ToWireTime(_builder.Records[0].Received));
        var deadline = (received < seen ? received : seen) + _options.MaxBatchAge;
        while (!_builder.IsFull)
        {
            var remaining = deadline - _timeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            using (var age = new CancellationTokenSource(remaining, _timeProvider))
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, age.Token))
            {
                try
                {
                    await _spool.WaitForRecordsAsync(after, wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return; // the batch is old enough
                }
            }

            if (!TakeMore(ref after))
            {
                return; // nothing new after all: ship what there is rather than spin
            }
        }
    }

    /// <summary>Reads records after <paramref name="after"/> into the builder while it takes them.</summary>
    private bool TakeMore(ref long after)
    {
        _scratch.Clear();
        _spool.Read(after, long.MaxValue, _builder.RemainingRecords, _scratch);
        var taken = false;
        foreach (var record in _scratch)
        {
            if (!_builder.TryAdd(record))
            {
                break;
            }

            after = record.Sequence;
            taken = true;
        }

        return taken;
    }
}
