using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// One pending <see cref="ISpoolWriter.AppendAsync"/>, pooled so an append allocates nothing. It completes
/// through <see cref="ManualResetValueTaskSourceCore{TResult}"/> with continuations forced onto the thread
/// pool, so the writer loop never runs a caller's code, and returns to the pool when the caller takes the result;
/// or, for <see cref="ISpoolWriter.Append"/>, through its <see cref="IAppendCompletion"/>, called on the writer thread.
/// </summary>
internal sealed class AppendRequest : IValueTaskSource<AppendResult>
{
    private const int MaxPooled = 1024;

    private readonly ConcurrentQueue<AppendRequest> _pool;
    private ManualResetValueTaskSourceCore<AppendResult> _core = new() { RunContinuationsAsynchronously = true };

    private AppendRequest(ConcurrentQueue<AppendRequest> pool) => _pool = pool;

    public ReadOnlyMemory<SpoolEntry> Entries { get; private set; }

    public long ReceivedUnixMs { get; private set; }

    /// <summary>Set for <see cref="ISpoolWriter.Append"/>: answered by a call instead of the value task.</summary>
    public IAppendCompletion? Completion { get; private set; }

    /// <summary>Encoded size of all entries.</summary>
    public int Bytes { get; private set; }

    public static AppendRequest Rent(
        ConcurrentQueue<AppendRequest> pool, ReadOnlyMemory<SpoolEntry> entries, long receivedUnixMs, int bytes, IAppendCompletion? completion = null)
    {
        var request = pool.TryDequeue(out var pooled) ? pooled : new AppendRequest(pool);
        request.Entries = entries;
        request.Completion = completion;
        request.ReceivedUnixMs = receivedUnixMs;
        request.Bytes = bytes;
        return request;
    }

    public ValueTask<AppendResult> AsValueTask() => new(this, _core.Version);

    /// <summary>Answers the caller: inline through <see cref="Completion"/> (then back to the pool), or by completing the value task.</summary>
    public void Complete(AppendResult result)
    {
        var completion = Completion;
        if (completion is null)
        {
            _core.SetResult(result);
            return;
        }

        Return();
        completion.OnAppended(result, null);
    }

    public AppendResult GetResult(short token)
    {
        var result = _core.GetResult(token);
        _core.Reset();
        Return();
        return result;
    }

    private void Return()
    {
        Entries = default;
        Completion = null;
        if (_pool.Count < MaxPooled)
        {
            _pool.Enqueue(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
