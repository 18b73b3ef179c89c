using System.Runtime.InteropServices;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Metrics;

namespace KarmaKit.Collector.Storage;

/// <summary>
/// Owns karma.log for the host's lifetime: at start takes the instance lock in <c>Collector:Data</c>, repairs a torn
/// end (<see cref="KarmaLogRecovery"/>), rebuilds the batch-id index (in the state's replay, <see cref="IBatchIdRebuild"/>,
/// so the log is read once; else <see cref="BatchIdScanner"/>), opens the
/// <see cref="KarmaLogWriter"/> and reopens it on SIGHUP (logrotate); at stop drains and closes it. An
/// <see cref="IKarmaLogObserver"/> (the DNSBL state) is told of each of these steps.
/// </summary>
internal sealed class KarmaLogService : IHostedService, IAsyncDisposable
{
    private readonly CollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CollectorMetrics? _metrics;
    private readonly IKarmaLogObserver? _observer;
    private readonly IBatchIdRebuild? _batchIds;
    private readonly TaskCompletionSource<KarmaLogWriter> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileStream? _lock;
    private PosixSignalRegistration? _sighup;
    private KarmaLogWriter? _writer;

    public KarmaLogService(CollectorOptions options, TimeProvider time, ILogger<KarmaLogService> logger, CollectorMetrics? metrics = null, IKarmaLogObserver? observer = null,
        IBatchIdRebuild? batchIds = null)
    {
        _batchIds = batchIds;
        _metrics = metrics;
        _observer = observer;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The writer, once start-up recovery is done.</summary>
    public Task<KarmaLogWriter> WriterAsync => _ready.Task;

    public string LogPath => Path.GetFullPath(_options.Log);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _lock = TakeLock(Path.GetFullPath(_options.Data));
            var now = _time.GetUtcNow().UtcDateTime;
            KarmaLogRecovery.Recover(LogPath, _options.Ingest.MaxReportsPerBatch, now, _logger);
            var ids = new BatchIdIndex(_options.Idempotency.Window);
            _batchIds?.Attach(ids, now);
            _observer?.Recovered(LogPath);
            if (!ids.Loaded)
            {
                BatchIdScanner.Load(LogPath, ids, now, _logger);
            }

            var writer = KarmaLogWriter.Open(LogPath, ids, _time, _logger, metrics: _metrics, observer: _observer);
            _writer = writer;
            if (!OperatingSystem.IsWindows())
            {
                _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
                {
                    context.Cancel = true; // SIGHUP means "reopen the log", not "terminate"
                    _ = writer.ReopenAsync();
                });
            }

            _ready.TrySetResult(writer);
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            throw;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        _sighup?.Dispose();
        _sighup = null;
        _ready.TrySetException(new ObjectDisposedException(nameof(KarmaLogService)));
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
            _observer?.Closed();
        }

        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>One collector per data directory: a second one would append to the same log without the same index.</summary>
    private static FileStream TakeLock(string data)
    {
        Directory.CreateDirectory(data);
        var path = Path.Combine(data, "collector.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"{path} is locked: another karmakit-collector uses Collector:Data {data}", ex);
        }
    }
}
