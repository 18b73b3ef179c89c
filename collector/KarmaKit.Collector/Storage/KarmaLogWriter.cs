using System.Buffers;
using System.Threading.Channels;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Metrics;

namespace KarmaKit.Collector.Storage;

/// <summary>What the log did with a batch: appended, or found it already taken.</summary>
internal readonly record struct AppendResult(int Accepted, bool Duplicate);

/// <summary>
/// The single writer of karma.log, with group commit: requests queue their validated batches; the writer takes
/// everything queued, checks each batch id against <see cref="BatchIdIndex"/> (and the rest of the group), formats
/// the new batches' lines into one buffer, writes it with one write(2), makes it durable with one fdatasync(2), then
/// records the ids and completes every request of the group. No request is answered before the sync that covers it;
/// a failed write or sync is truncated away and its requests fail (503), so a resend never finds a half batch.
/// </summary>
internal sealed partial class KarmaLogWriter : IAsyncDisposable
{
    /// <summary>Most batches in one group commit.</summary>
    public const int MaxGroupBatches = 64;

    private readonly Channel<LogWork> _queue = Channel.CreateBounded<LogWork>(
        new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly Dictionary<BatchKey, int> _pending = new(BatchIdIndex.Comparer);
    private readonly List<LogWork> _group = new(MaxGroupBatches);
    private readonly List<AppendedBatch> _appended = new(MaxGroupBatches);
    private readonly List<Operator.OperatorAction> _actions = [];
    private readonly IKarmaLogObserver? _observer;
    private readonly BatchIdIndex _ids;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private CollectorMetrics? _metrics;
    private FileStream _file;
    private DateTime _lastTime;
    private LineTimes _times;
    private Exception? _broken;
    private long _syncs;
    private long _batches;
    private long _reports;
    private long _duplicates;
    private long _whiteReports;
    private long _operatorActions;
    private long _generation;

    private KarmaLogWriter(string path, FileStream file, BatchIdIndex ids, TimeProvider time, ILogger logger, Task? startGate, IKarmaLogObserver? observer)
    {
        _observer = observer;
        Path = path;
        _file = file;
        _ids = ids;
        _time = time;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(startGate ?? Task.CompletedTask));
    }

    public string Path { get; }

    /// <summary>fdatasync calls made so far (one per group commit that appended something).</summary>
    public long SyncCount => Interlocked.Read(ref _syncs);

    public long BatchesAppended => Interlocked.Read(ref _batches);

    public long ReportsAppended => Interlocked.Read(ref _reports);

    public long DuplicateBatches => Interlocked.Read(ref _duplicates);

    /// <summary>White reports among <see cref="ReportsAppended"/> (the rest are black).</summary>
    public long WhiteReportsAppended => Interlocked.Read(ref _whiteReports);

    /// <summary>Operator lines (allow, unallow, delist) appended.</summary>
    public long OperatorActionsAppended => Interlocked.Read(ref _operatorActions);

    /// <summary>False once a failed write could not be undone; every append then fails until a restart.</summary>
    public bool IsHealthy => Volatile.Read(ref _broken) is null;

    public BatchIdIndex Ids => _ids;

    /// <summary>
    /// Opens (creating it and its directory if needed) the log for appending. The writer takes no work before
    /// <paramref name="startGate"/> completes (tests use it to queue a known group). <paramref name="observer"/> hears of
    /// every durable group commit.
    /// </summary>
    public static KarmaLogWriter Open(string path, BatchIdIndex ids, TimeProvider time, ILogger logger, Task? startGate = null, CollectorMetrics? metrics = null, IKarmaLogObserver? observer = null)
    {
        var file = OpenFile(path);
        logger.LogOpened(path, file.Length);
        return new KarmaLogWriter(path, file, ids, time, logger, startGate, observer) { _metrics = metrics };
    }

    /// <summary>Appends a batch unless its id is taken; completes after the fsync that makes it durable.</summary>
    public async Task<AppendResult> AppendAsync(BatchKey key, IReadOnlyList<ReportEntry> reports, CancellationToken cancellationToken)
    {
        var work = new LogWork(key, reports);
        if (!_queue.Writer.TryWrite(work))
        {
            await _queue.Writer.WriteAsync(work, cancellationToken);
        }

        // Once queued the append happens whatever the caller does, so the wait is not cancellable.
        return await work.Completion.Task;
    }

    /// <summary>
    /// Appends reports that came without a batch id (the compatibility wire): no duplicate check, lines without
    /// <c>batch</c>/<c>size</c>; completes after the fsync that makes them durable, in the same group commit as batches.
    /// </summary>
    public Task<AppendResult> AppendUnbatchedAsync(string reporter, IReadOnlyList<ReportEntry> reports, CancellationToken cancellationToken) =>
        AppendAsync(new BatchKey(reporter, ""), reports, cancellationToken);

    /// <summary>
    /// Appends an operator action (allow, unallow, delist) as one line, in the same group commit and fdatasync as the
    /// batches; completes once it is durable and the observers (state, listing) have applied it, with its log time.
    /// </summary>
    public async Task<Operator.OperatorAction> AppendOperatorAsync(Operator.OperatorRequest request, CancellationToken cancellationToken)
    {
        var work = new LogWork(new BatchKey(Operator.OperatorLogLine.Reporter(request.Operator), ""), []) { Operator = request };
        await _queue.Writer.WriteAsync(work, cancellationToken);
        await work.Completion.Task;
        return work.Action!;
    }

    /// <summary>Closes and reopens the log by its path (after logrotate renamed it); what SIGHUP calls. False when stopping.</summary>
    public async Task<bool> ReopenAsync()
    {
        var work = new LogWork(default, null);
        try
        {
            await _queue.Writer.WriteAsync(work);
        }
        catch (ChannelClosedException)
        {
            return false;
        }

        await work.Completion.Task;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _file.DisposeAsync();
    }

    private static FileStream OpenFile(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        var file = new FileStream(path, options);
        file.Seek(0, SeekOrigin.End);
        return file;
    }

    private async Task RunAsync(Task startGate)
    {
        await startGate;
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            LogWork? reopen = null;
            while (_group.Count < MaxGroupBatches && reader.TryRead(out var work))
            {
                if (work.Reports is null)
                {
                    reopen = work;
                    break;
                }

                _group.Add(work);
            }

            if (_group.Count > 0)
            {
                try
                {
                    Commit(_group);
                }
                catch (Exception ex)
                {
                    // A bug here must not leave requests waiting forever or stop the writer.
                    _logger.CommitFailed(ex, Path);
                    FailAll(_group, ex);
                }

                _group.Clear();
            }

            if (reopen is not null)
            {
                Reopen();
                reopen.Completion.TrySetResult(default);
            }
        }
    }

    private void Reopen()
    {
        try
        {
            var fresh = OpenFile(Path);
            _file.Dispose();
            _file = fresh;
            _generation++;
            _logger.LogReopened(Path, fresh.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.ReopenFailed(ex, Path);
        }
    }

    /// <summary>UTC now at millisecond precision, never earlier than the previous group's time.</summary>
    private DateTime Now()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        _lastTime = now > _lastTime ? now : _lastTime;
        return _lastTime;
    }

    private sealed class LogWork(BatchKey key, IReadOnlyList<ReportEntry>? reports)
    {
        public BatchKey Key { get; } = key;

        /// <summary>Null for a reopen request.</summary>
        public IReadOnlyList<ReportEntry>? Reports { get; } = reports;

        public AppendResult Result { get; set; }

        /// <summary>An operator action to write instead of reports.</summary>
        public Operator.OperatorRequest? Operator { get; init; }

        /// <summary>The operator action as written.</summary>
        public Operator.OperatorAction? Action { get; set; }

        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
