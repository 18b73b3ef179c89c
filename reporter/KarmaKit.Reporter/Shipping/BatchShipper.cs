using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Batches;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Shipping;

/// <summary>
/// Ships the spool to the collector (DESIGN.md §2): one batch in flight at a time, strictly in spool order.
/// A batch that was in flight at the last stop is resent first, unchanged and under its id. A batch's id is
/// <c>{SpoolId}-{first}-{last}</c>, so it is the same on every retry and after a restart, and it is recorded
/// in the spool (<see cref="ISpoolQueue.BeginBatch"/>) before its first POST. 2xx frees it; 400 sends it to the
/// dead-letter file; 413 halves it (down to one record, which then goes to the dead-letter file).
/// </summary>
internal sealed partial class BatchShipper : BackgroundService
{
    /// <summary>After this many deliveries at a size reduced by a 413, the size doubles again.</summary>
    internal const int GrowAfterDeliveries = 16;

    private readonly ISpoolQueue _spool;
    private readonly CollectorClient _collector;
    private readonly ShippingOptions _options;
    private readonly string _reporter;
    private readonly string _idPrefix;
    private readonly TimeProvider _timeProvider;
    private readonly ShippingStatus _status;
    private readonly ILogger _logger;
    private readonly BatchBuilder _builder;
    private readonly List<SpoolRecord> _scratch = [];
    private int _maxRecords;
    private int _deliveriesSinceSplit;

    public BatchShipper(
        ISpoolQueue spool,
        CollectorClient collector,
        ReporterOptions options,
        TimeProvider timeProvider,
        ShippingStatus status,
        ILogger<BatchShipper> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _spool = spool;
        _collector = collector;
        _options = options.Shipping;
        _reporter = options.Name;
        _idPrefix = IdPrefix(spool.SpoolId);
        _timeProvider = timeProvider;
        _status = status;
        _logger = logger;
        _maxRecords = _options.MaxBatchReports;
        _builder = new BatchBuilder(_maxRecords, _options.MaxBatchBytes);
    }

    /// <summary>The most spooled records the next new batch may take: the configured size, or less after a 413.</summary>
    internal int MaxRecords => _maxRecords;

    /// <summary>The id of the batch that holds spooled records <paramref name="first"/> to <paramref name="last"/>.</summary>
    internal string BatchId(long first, long last) => $"{_idPrefix}-{first}-{last}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.ShipperStarted(_collector.BatchesUrl, _reporter);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ShipNextAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // the batch in flight stays pending in the spool and is resent on the next start
            }
#pragma warning disable CA1031 // A spool or unexpected failure must not end shipping: back off and try again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var delay = Backoff(++failures);
                _logger.ShipperFailed(ex, delay);
                try
                {
                    await Task.Delay(delay, _timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Ships the pending batch if there is one, else waits for, collects and ships the next batch.</summary>
    internal async Task ShipNextAsync(CancellationToken cancellationToken)
    {
        // Re-read each round: after a failure mid-batch the spool knows what is in flight.
        if (_spool.PendingBatch is { } pending && pending.LastSequence > _spool.DeliveredThrough)
        {
            _builder.Reset(int.MaxValue, int.MaxValue);
            _scratch.Clear();
            _spool.Read(pending.FirstSequence - 1, pending.LastSequence, int.MaxValue, _scratch);
            if (_scratch.Count == 0)
            {
                _logger.PendingBatchEmpty(pending.Id, pending.FirstSequence, pending.LastSequence);
                _spool.CompleteBatch(pending, BatchOutcome.Delivered);
                return;
            }

            foreach (var record in _scratch)
            {
                _builder.TryAdd(record);
            }

            _logger.PendingBatchResent(pending.Id, pending.FirstSequence, pending.LastSequence);
            await ShipAsync(pending, begun: true, cancellationToken);
            return;
        }

        await CollectAsync(cancellationToken);
        var first = _builder.Records[0].Sequence;
        var last = _builder.Records[^1].Sequence;
        await ShipAsync(new InFlightBatch(BatchId(first, last), first, last), begun: false, cancellationToken);
    }

    /// <summary>Posts the batch held by the builder until the collector's final answer, splitting on 413.</summary>
    private async Task ShipAsync(InFlightBatch batch, bool begun, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!begun)
            {
                _spool.BeginBatch(batch);
            }

            begun = false;
            var body = JsonSerializer.SerializeToUtf8Bytes(_builder.Build(_reporter, batch.Id), ProtocolJsonContext.Default.ReportBatch);
            _status.Delivering();
            var result = await _collector.SendAsync(batch.Id, body, cancellationToken);
            var records = _builder.Records.Count;
            switch (result.Kind)
            {
                case DeliveryKind.Delivered:
                    _spool.CompleteBatch(batch, BatchOutcome.Delivered);
                    _status.Delivered();
                    _logger.BatchDelivered(batch.Id, records, _builder.ReportCount, body.Length, result.Duplicate);
                    GrowAfterDelivery();
                    return;

                case DeliveryKind.TooLarge when records > 1:
                    var keep = records / 2;
                    _logger.BatchSplit(batch.Id, records, body.Length, keep);
                    _maxRecords = keep;
                    _deliveriesSinceSplit = 0;
                    batch = Shrink(batch, keep);
                    continue;

                default:
                    DeadLetter(batch, body, result.Reason ?? "refused");
                    return;
            }
        }
    }

    /// <summary>Keeps the first <paramref name="keep"/> records: a new range, so a new id.</summary>
    private InFlightBatch Shrink(InFlightBatch batch, int keep)
    {
        _scratch.Clear();
        for (var i = 0; i < keep; i++)
        {
            _scratch.Add(_builder.Records[i]);
        }

        _builder.Reset(int.MaxValue, int.MaxValue);
        foreach (var record in _scratch)
        {
            _builder.TryAdd(record);
        }

        var last = _scratch[^1].Sequence;
        return new InFlightBatch(BatchId(batch.FirstSequence, last), batch.FirstSequence, last);
    }

    private void DeadLetter(InFlightBatch batch, byte[] body, string reason)
    {
        _spool.WriteDeadLetter(batch, Encoding.UTF8.GetString(body), reason);
        _spool.CompleteBatch(batch, BatchOutcome.DeadLettered);
        _status.DeadLettered();
        _logger.BatchDeadLettered(batch.Id, reason, _builder.Records.Count, batch.FirstSequence, batch.LastSequence);
    }

    private void GrowAfterDelivery()
    {
        if (_maxRecords < _options.MaxBatchReports && ++_deliveriesSinceSplit >= GrowAfterDeliveries)
        {
            _maxRecords = Math.Min(_options.MaxBatchReports, _maxRecords * 2);
            _deliveriesSinceSplit = 0;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 30));
        return delay < _options.MaxRetryDelay ? delay : _options.MaxRetryDelay;
    }

    /// <summary>The spool id, or a digest of it if it would make ids longer than the protocol allows.</summary>
    internal static string IdPrefix(string spoolId)
    {
        const int MaxPrefix = ProtocolLimits.MaxBatchIdLength - 42; // "-" + 20 digits, twice
        if (spoolId.Length is > 0 and <= MaxPrefix && spoolId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return spoolId;
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spoolId)))[..32];
    }
}
