using System.Collections.Concurrent;
using System.Threading.Channels;
using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// The durable spool: an append-only journal of segment files (format: <see cref="SpoolRecordCodec"/>) with
/// group commit, plus the delivery state. One instance owns a spool directory (flock on <c>.lock</c>).
/// Construction recovers the spool (torn tails set aside) and starts the single writer loop; disposal drains
/// pending appends, flushes and closes.
/// </summary>
internal sealed partial class SpoolJournal : ISpoolWriter, ISpoolQueue, IDisposable, IAsyncDisposable
{
    private const int QueueCapacity = 4096;

    private readonly SpoolPaths _paths;
    private readonly JournalOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private readonly Channel<AppendRequest> _queue;
    private readonly ConcurrentQueue<AppendRequest> _requestPool = new();
    private readonly Lock _segmentsLock = new();
    private readonly List<JournalSegment> _segments = [];
    private readonly Task _writer;

    private SafeFileHandle _activeHandle = null!;
    private long _committedSequence;
    private long _openedThrough;
    private long _totalBytes;
    private int _disposed;
    private TaskCompletionSource? _recordsSignal;

    public SpoolJournal(string directory, JournalOptions options, TimeProvider time, ILogger<SpoolJournal> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _paths = new SpoolPaths(directory);
        _options = options;
        _time = time;
        _logger = logger;
        System.IO.Directory.CreateDirectory(_paths.Directory);
        _lock = TakeLock(_paths);
        try
        {
            Recover();
        }
        catch
        {
            _activeHandle?.Dispose();
            _lock.Dispose();
            throw;
        }

        _queue = Channel.CreateBounded<AppendRequest>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            // The only continuations are the writer thread's wait (woken straight from the appending thread, not
            // through a pool work item) and callers that waited for room in a full queue (a few instructions each).
            AllowSynchronousContinuations = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // A thread of its own: the loop blocks in fsync most of the time under load, and on a small machine
        // a blocked thread-pool worker is one of very few left to run the listener's connections.
        _writer = Task.Factory.StartNew(RunWriter, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public string SpoolId { get; private set; } = "";

    /// <summary>The spool directory (full path).</summary>
    public string Directory => _paths.Directory;

    /// <summary>The sequence of the newest durable record; readers see records up to here.</summary>
    public long CommittedSequence => Volatile.Read(ref _committedSequence);

    /// <summary>Bytes of all segment files.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    public int SegmentCount
    {
        get
        {
            lock (_segmentsLock)
            {
                return _segments.Count;
            }
        }
    }

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    private static FileStream TakeLock(SpoolPaths paths)
    {
        try
        {
            return new FileStream(paths.Lock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"spool {paths.Directory} is in use by another karmakit-reporter (cannot lock {paths.Lock})", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer;
        Interlocked.Exchange(ref _recordsSignal, null)?.TrySetResult();
        lock (_readLock)
        {
            _readCursor?.Dispose();
            _readCursor = null;
        }

        try
        {
            if (!_faulted)
            {
                TrimZeroedAhead(_active);
                SpoolFiles.Flush(_activeHandle);
            }
        }
        finally
        {
            _activeHandle.Dispose();
            _logger.SpoolClosed(_paths.Directory, CommittedSequence, DeliveredThrough);
            _lock.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
