using KarmaKit.Reporter.Spool;
using static KarmaKit.Reporter.Tests.Spool.TempSpool;

namespace KarmaKit.Reporter.Tests.Spool;

/// <summary><see cref="SpoolJournal.Append"/>: the listener's direct path, answered by a call on the writer thread.</summary>
public sealed class SpoolJournalCompletionTests : IDisposable
{
    private readonly TempSpool _spool = new();

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task Append_Durable_CalledOnceAfterTheFsyncWithConsecutiveSequences()
    {
        await using var sut = _spool.Open();
        await AppendAsync(sut, Entry("192.0.2.1"));
        var completion = new RecordingCompletion(() => sut.FlushCount);

        sut.Append(new[] { Entry("192.0.2.2", "a"), Entry("192.0.2.3", "b") }, completion);
        var (result, failure, flushesSeen, thread) = await completion.Task;

        Assert.Equal(new AppendResult(AppendStatus.Ok, 2), result);
        Assert.Null(failure);
        Assert.Equal(2, flushesSeen); // the first append's fsync, then this one's: durable before the call
        Assert.NotEqual(Environment.CurrentManagedThreadId, thread);
        Assert.Equal(["192.0.2.2", "192.0.2.3"], ReadAll(sut, after: 1).Select(r => r.Subject.ToString()));
        await Task.Delay(50);
        Assert.Equal(1, completion.Calls);
    }

    [Fact]
    public async Task Append_ManyConcurrent_ShareFsyncsAndEachIsAnsweredOnce()
    {
        await using var sut = _spool.Open();
        const int Appends = 200;
        var completions = Enumerable.Range(0, Appends).Select(_ => new RecordingCompletion(() => sut.FlushCount)).ToArray();

        Parallel.For(0, Appends, i => sut.Append(new[] { Entry($"10.3.0.{i}") }, completions[i]));
        var results = await Task.WhenAll(completions.Select(c => c.Task));

        Assert.All(results, r => Assert.Equal(AppendStatus.Ok, r.Result.Status));
        Assert.Equal(Enumerable.Range(1, Appends).Select(i => (long)i), results.Select(r => r.Result.FirstSequence).Order());
        Assert.InRange(sut.FlushCount, 1, Appends / 4);
        Assert.All(completions, c => Assert.Equal(1, c.Calls));
    }

    [Fact]
    public async Task Append_AfterDispose_UnavailableAtOnce()
    {
        var sut = _spool.Open();
        await sut.DisposeAsync();
        var completion = new RecordingCompletion(() => 0);

        sut.Append(new[] { Entry("192.0.2.1") }, completion);

        Assert.True(completion.Task.IsCompleted); // answered on the calling thread: no writer is left to do it
        Assert.Equal(AppendStatus.Unavailable, (await completion.Task).Result.Status);
    }

    [Fact]
    public async Task Append_CompletionThrows_LoggedAndTheWriterAnswersTheRest()
    {
        await using var sut = _spool.Open();
        var throwing = new RecordingCompletion(() => sut.FlushCount, throws: true);
        var next = new RecordingCompletion(() => sut.FlushCount);

        sut.Append(new[] { Entry("192.0.2.1") }, throwing);
        sut.Append(new[] { Entry("192.0.2.2") }, next);

        Assert.Equal(AppendStatus.Ok, (await throwing.Task).Result.Status);
        Assert.Equal(AppendStatus.Ok, (await next.Task).Result.Status);
        Assert.Equal(3, await AppendAsync(sut, Entry("192.0.2.3")));
        Assert.Equal(1, _spool.Logger.Count(2016));
    }

    [Fact]
    public async Task Append_NoEntries_Throws()
    {
        await using var sut = _spool.Open();

        Assert.Throws<ArgumentException>(() => sut.Append(ReadOnlyMemory<SpoolEntry>.Empty, new RecordingCompletion(() => 0)));
    }

    /// <summary>Records the call: result, the fsync count and the thread at that moment.</summary>
    private sealed class RecordingCompletion(Func<long> flushes, bool throws = false) : IAppendCompletion
    {
        private readonly TaskCompletionSource<(AppendResult Result, Exception? Failure, long Flushes, int Thread)> _called =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        private int _calls;

        public Task<(AppendResult Result, Exception? Failure, long Flushes, int Thread)> Task => _called.Task;

        public int Calls => Volatile.Read(ref _calls);

        public void OnAppended(AppendResult result, Exception? failure)
        {
            Interlocked.Increment(ref _calls);
            _called.TrySetResult((result, failure, flushes(), Environment.CurrentManagedThreadId));
            if (throws)
            {
                throw new InvalidOperationException("a completion that breaks its contract");
            }
        }
    }
}
