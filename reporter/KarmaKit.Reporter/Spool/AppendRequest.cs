using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// One pending <see cref="ISpoolWriter.AppendAsync"/>, pooled so an append allocates nothing. It completes
/// through <see cref="ManualResetValueTaskSourceCore{TResult}"/> with continuations forced onto the thread
/// pool, so the writer loop never runs a caller's code. It returns to the pool when the caller takes the result.
/// </summary>
internal sealed class AppendRequest : IValueTaskSource<AppendResult>
{
    private const int MaxPooled = 1024;

    private readonly ConcurrentQueue<AppendRequest> _pool;
    private ManualResetValueTaskSourceCore<AppendResult> _core = new() { RunContinuationsAsynchronously = true };

    private AppendRequest(ConcurrentQueue<AppendRequest> pool) => _pool = pool;

    public ReadOnlyMemory<SpoolEntry> Entries { get; private set; }

    public long ReceivedUnixMs { get; private set; }

    /// <summary>Encoded size of all entries.</summary>
    public int Bytes { get; private set; }

    public static AppendRequest Rent(ConcurrentQueue<AppendRequest> pool, ReadOnlyMemory<SpoolEntry> entries, long receivedUnixMs, int bytes)
    {
        var request = pool.TryDequeue(out var pooled) ? pooled : new AppendRequest(pool);
        request.Entries = entries;
        request.ReceivedUnixMs = receivedUnixMs;
        request.Bytes = bytes;
        return request;
    }

    public ValueTask<AppendResult> AsValueTask() => new(this, _core.Version);

    public void Complete(AppendResult result) => _core.SetResult(result);

    public AppendResult GetResult(short token)
    {
        var result = _core.GetResult(token);
        _core.Reset();
        Entries = default;
        if (_pool.Count < MaxPooled)
        {
            _pool.Enqueue(this);
        }

        return result;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
