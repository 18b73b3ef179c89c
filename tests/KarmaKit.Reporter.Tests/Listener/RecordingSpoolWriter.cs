using System.Text;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Tests.Listener;

internal sealed record RecordedReport(long Sequence, Verb Verb, IpSubject Subject, string Reason);

/// <summary>
/// An <see cref="ISpoolWriter"/> test double that records what the listener appends, with switchable refusals.
/// The listener tests only need the contract (all or nothing, consecutive sequences); the real journal is
/// tested on its own in the spool tests and end to end in the functional tests.
/// </summary>
internal sealed class RecordingSpoolWriter : ISpoolWriter
{
    private readonly Lock _lock = new();
    private readonly List<RecordedReport> _reports = [];
    private long _next = 1;
    private int _appends;

    /// <summary>What the next appends answer: Ok records them; SpoolFull and Unavailable record nothing.</summary>
    public AppendStatus Mode { get; set; } = AppendStatus.Ok;

    /// <summary>Throw instead of answering, as a buggy spool would.</summary>
    public bool Throw { get; set; }

    public int Appends => Volatile.Read(ref _appends);

    public IReadOnlyList<RecordedReport> Reports
    {
        get
        {
            lock (_lock)
            {
                return [.. _reports];
            }
        }
    }

    public async ValueTask<AppendResult> AppendAsync(ReadOnlyMemory<SpoolEntry> entries, CancellationToken cancellationToken)
    {
        // The real journal completes after an fsync, never synchronously.
        await Task.Yield();
        Interlocked.Increment(ref _appends);
        if (Throw)
        {
            throw new IOException("simulated spool bug");
        }

        if (Mode != AppendStatus.Ok)
        {
            return new AppendResult(Mode, 0);
        }

        lock (_lock)
        {
            var first = _next;
            foreach (var entry in entries.Span)
            {
                _reports.Add(new RecordedReport(_next++, entry.Verb, entry.Subject, Encoding.UTF8.GetString(entry.Reason.Span)));
            }

            return new AppendResult(AppendStatus.Ok, first);
        }
    }
}
