using System.Diagnostics;
using System.Security.Cryptography;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.State;

/// <summary>
/// Keeps <see cref="SubjectStateStore"/> in step with karma.log: at start loads the snapshot and replays the log after
/// it (or everything, when there is no usable snapshot); then applies each durable group commit on the log writer's
/// thread, before its batches are answered, so an acknowledged report is in the state; at stop saves a snapshot.
/// The same start-up read rebuilds the batch-id index when one is attached (<see cref="IBatchIdRebuild"/>): the
/// snapshot keeps the window's batch ids, and the replay gathers those of the lines it reads.
/// </summary>
internal sealed class SubjectStateFeed : IKarmaLogObserver, IBatchIdRebuild
{
    private readonly SubjectStateStore _store;
    private readonly string _snapshotPath;
    private readonly TimeSpan _progressEvery;
    private readonly ILogger _logger;
    private readonly CollectorMetrics? _metrics;
    private readonly Lock _saving = new();
    private readonly StateUpdate[] _updates = new StateUpdate[256];
    private string _logPath = "";
    private long _generation = -1;
    private byte[]? _head;
    private long _savedLines = -1;
    private readonly TimeSpan _operatorRelevance;
    private DateTime _lastReceived;
    private BatchIdIndex? _ids;
    private DateTime _idsNow;

    public SubjectStateFeed(SubjectStateStore store, CollectorOptions options, ILogger<SubjectStateFeed> logger, CollectorMetrics? metrics = null)
    {
        _metrics = metrics;
        _store = store;
        _snapshotPath = StateSnapshot.PathIn(Path.GetFullPath(options.Data));
        _progressEvery = options.State.ProgressInterval;
        _operatorRelevance = options.Policy.Window > options.Policy.DelistAfter ? options.Policy.Window : options.Policy.DelistAfter;
        _logger = logger;
    }

    public SubjectStateStore Store => _store;

    /// <summary>The start-up rebuild, once done (for metrics and tests).</summary>
    public ReplayResult? Startup { get; private set; }

    /// <summary>True when the start-up rebuild began from a snapshot.</summary>
    public bool StartedFromSnapshot { get; private set; }

    public void Attach(BatchIdIndex ids, DateTime now) => (_ids, _idsNow) = (ids, now);

    public void Recovered(string logPath)
    {
        _logPath = logPath;
        var stopwatch = Stopwatch.StartNew();
        var files = LogFileSet.Ordered(logPath);
        using (_store.EnterWrite())
        {
            var (startFile, offset, saved) = LoadSnapshot(files);
            var cutoff = _idsNow - (_ids?.Window ?? TimeSpan.Zero);
            var collector = _ids is null ? null : new BatchIdCollector(cutoff);
            using var replayer = new StateReplayer(_store, _logger, _progressEvery, collector);
            var result = replayer.Replay(files, startFile, offset);
            _logger.StateReplayed(_store.Count, _store.Reporters.Count, result.Lines, result.Files, (long)result.Elapsed.TotalMilliseconds,
                result.LinesPerSecond, StartedFromSnapshot ? "the snapshot" : "an empty state");
            if (_ids is not null)
            {
                LoadBatchIds(_ids, saved, collector!, cutoff, files.Count - startFile, result.Lines, stopwatch);
            }

            // Only now complete: a snapshot saved with a partial set of batch ids would claim the whole window.
            Startup = result;
        }

        if (_metrics is not null)
        {
            _metrics.ReplaySeconds = stopwatch.Elapsed.TotalSeconds;
        }
    }

    public void Appended(in KarmaLogAppend append)
    {
        var received = StateTime.Seconds(append.Received);
        using var _ = _store.EnterWrite();
        long lines = 0;
        var pending = 0;
        string? lastReason = null;
        var lastReasonId = 0;
        foreach (var batch in append.Batches)
        {
            var reporter = _store.Reporters.GetOrAdd(batch.Reporter);
            foreach (var report in batch.Reports)
            {
                if (!ReferenceEquals(report.Reason, lastReason))
                {
                    // The ingest parser hands a batch's repeated reason as one string: one lookup per run of it.
                    lastReason = report.Reason;
                    lastReasonId = string.IsNullOrEmpty(lastReason) ? 0 : _store.Reasons.GetOrAdd(lastReason);
                }

                _updates[pending++] = new StateUpdate
                {
                    Subject = report.Subject,
                    First = StateTime.Seconds(report.First),
                    Last = StateTime.Seconds(report.Last),
                    Received = received,
                    Reporter = reporter,
                    Reason = lastReasonId,
                    Count = report.Count,
                    Verb = report.Verb,
                };
                if (pending == _updates.Length)
                {
                    _store.ApplyBatch(_updates);
                    pending = 0;
                }

                lines++;
            }
        }

        _store.ApplyBatch(_updates.AsSpan(0, pending));
        foreach (var action in append.Actions ?? [])
        {
            _store.Operator.Apply(action);
            lines++;
        }

        _lastReceived = append.Received;
        _store.Lines += lines;
        var bytes = append.Bytes;
        if (append.Generation != _generation || _head is null)
        {
            _generation = append.Generation;
            _head = append.Start == 0
                ? SHA256.HashData(bytes[..(bytes.IndexOf((byte)'\n') + 1)])
                : SHA256.HashData(LogFileSet.FirstLine(_logPath));
        }

        var lastStart = bytes[..^1].LastIndexOf((byte)'\n') + 1;
        var last = bytes[lastStart..];
        _store.Position = new LogPosition(_head, append.Start + bytes.Length, SHA256.HashData(last), last.Length);
    }

    /// <summary>Saves a snapshot, unless the start-up rebuild never finished (a partial state must not be saved as complete).</summary>
    public void Closed()
    {
        if (Startup is not null)
        {
            SaveSnapshot();
        }
    }

    /// <summary>Writes a snapshot when lines were applied since the last one; returns its size, or 0 when there was nothing new.</summary>
    public long SaveSnapshot()
    {
        lock (_saving)
        {
            var stopwatch = Stopwatch.StartNew();
            StateImage image;
            using (_store.EnterWrite())
            {
                if (_store.Lines == _savedLines)
                {
                    return 0;
                }

                if (_lastReceived != default)
                {
                    _store.Operator.Prune(_lastReceived, _operatorRelevance);
                }

                image = _store.Export();
                if (_ids is not null)
                {
                    image.BatchWindow = _ids.Window;
                    image.BatchIds = _ids.Export();
                }
            }

            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_snapshotPath)!);
                var size = StateSnapshot.Write(_snapshotPath, image);
                _savedLines = image.Lines;
                _logger.StateSnapshotWritten(_snapshotPath, image.Count, image.Lines, size, stopwatch.ElapsedMilliseconds);
                return size;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.StateSnapshotFailed(ex, _snapshotPath);
                return 0;
            }
        }
    }

    /// <summary>
    /// Loads a usable snapshot and answers where to replay from and the batch ids it kept; (0, 0, none) for a full
    /// replay. With an index attached, a snapshot that kept no batch ids, or those of a shorter window than the index's,
    /// is not usable: only a full replay finds the ones it lacks.
    /// </summary>
    private (int File, long Offset, KeyValuePair<BatchKey, TakenBatch>[] BatchIds) LoadSnapshot(List<string> files)
    {
        var stopwatch = Stopwatch.StartNew();
        _store.Clear();
        var image = StateSnapshot.TryRead(_snapshotPath, out var problem);
        if (image is null)
        {
            if (File.Exists(_snapshotPath))
            {
                _logger.StateSnapshotIgnored(_snapshotPath, problem);
            }

            return (0, 0, []);
        }

        if (image.Position is null)
        {
            return (0, 0, []); // taken before any line: the same as starting empty
        }

        if (_ids is not null && image.BatchWindow < _ids.Window)
        {
            _logger.StateSnapshotIgnored(_snapshotPath, image.BatchWindow == TimeSpan.Zero
                ? "it kept no batch ids"
                : $"it kept the batch ids of {image.BatchWindow}, Collector:Idempotency:Window is {_ids.Window}");
            return (0, 0, []);
        }

        var file = LogPositionLocator.Locate(image.Position, files, out problem);
        if (file < 0)
        {
            _logger.StateSnapshotIgnored(_snapshotPath, problem);
            return (0, 0, []);
        }

        _store.Load(image);
        _savedLines = image.Lines;
        StartedFromSnapshot = true;
        _logger.StateSnapshotLoaded(_snapshotPath, _store.Count, image.Lines, stopwatch.ElapsedMilliseconds, image.Position.Offset, Path.GetFileName(files[file]));
        return (file, image.Position.Offset, image.BatchIds);
    }

    /// <summary>The snapshot's batch ids still in the window, oldest first, then those the replay found after it.</summary>
    private void LoadBatchIds(BatchIdIndex ids, KeyValuePair<BatchKey, TakenBatch>[] saved, BatchIdCollector collector, DateTime cutoff, int files, long lines, Stopwatch stopwatch)
    {
        Array.Sort(saved, (a, b) => a.Value.Received.CompareTo(b.Value.Received));
        foreach (var (key, batch) in saved)
        {
            if (batch.Received >= cutoff)
            {
                ids.Add(key, batch);
            }
        }

        collector.AddTo(ids, _logger);
        ids.MarkLoaded();
        _logger.BatchIdsLoaded(ids.Window, ids.Count, files, lines, stopwatch.ElapsedMilliseconds);
    }
}
