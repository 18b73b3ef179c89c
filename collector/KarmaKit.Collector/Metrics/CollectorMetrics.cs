using System.Collections.Concurrent;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Collector.Metrics;

/// <summary>Why a batch was refused, as the <c>reason</c> label of <c>karmakit_batches_refused_total</c>.</summary>
internal enum BatchRefusal
{
    BadRequest,
    Unauthorized,
    Forbidden,
    Timeout,
    TooLarge,
    RateLimited,
    Unavailable,
    Other,
}

/// <summary>Why the compatibility listener did not append a line or serve a connection.</summary>
internal enum CompatRefusal
{
    Syntax,
    Subject,
    Reason,
    TooLong,
    TooManyLines,
    Unavailable,
}

/// <summary>
/// The collector's counters, gauges and histograms, written as plain fields with <see cref="Interlocked"/> (no meter
/// listener, no package) and read by <see cref="MetricsEndpoint"/> at scrape time. Counting costs one dictionary
/// lookup and one or two atomic adds per batch, nothing per report beyond a loop over the batch already in hand.
/// </summary>
internal sealed class CollectorMetrics
{
    private readonly ConcurrentDictionary<string, long[]> _reports = new(StringComparer.OrdinalIgnoreCase);
    private readonly long[] _batchesRefused = new long[Enum.GetValues<BatchRefusal>().Length];
    private readonly long[] _compatRefused = new long[Enum.GetValues<CompatRefusal>().Length];
    private long _batchesAccepted;
    private long _batchesDuplicate;
    private long _compatAccepted;
    private long _compatSourceRefused;
    private long _compatBusy;
    private long _compatTimeouts;
    private long _replayBits;

    /// <summary>fdatasync of one group commit, in seconds.</summary>
    public Histogram FsyncSeconds { get; } = new(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);

    /// <summary>Batches (and compat requests) written by one group commit.</summary>
    public Histogram GroupCommitSize { get; } = new(1, 2, 4, 8, 16, 32, 64);

    /// <summary>
    /// Seconds the last start-up replay of karma.log into the in-memory state took; <c>karmakit_replay_seconds</c>.
    /// 0 until the state replay sets it.
    /// </summary>
    public double ReplaySeconds
    {
        get => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _replayBits));
        set => Interlocked.Exchange(ref _replayBits, BitConverter.DoubleToInt64Bits(value));
    }

    /// <summary>Makes a reporter's series exist at 0 before its first report (configured reporters).</summary>
    public void AddReporter(string reporter) => _reports.GetOrAdd(reporter, static _ => new long[2]);

    /// <summary>Counts the reports of an appended (not duplicate) batch by verb.</summary>
    public void ReportsAccepted(string reporter, IReadOnlyList<ReportEntry> entries)
    {
        long black = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            black += entries[i].Verb == Verb.Black ? 1 : 0;
        }

        var counters = _reports.GetOrAdd(reporter, static _ => new long[2]);
        if (black > 0)
        {
            Interlocked.Add(ref counters[0], black);
        }

        if (entries.Count - black > 0)
        {
            Interlocked.Add(ref counters[1], entries.Count - black);
        }
    }

    public void BatchAccepted(bool duplicate) => Interlocked.Increment(ref duplicate ? ref _batchesDuplicate : ref _batchesAccepted);

    public void BatchRefused(int status) => Interlocked.Increment(ref _batchesRefused[(int)RefusalOf(status)]);

    public void CompatLinesAccepted(int lines) => Interlocked.Add(ref _compatAccepted, lines);

    public void CompatLineRefused(CompatRefusal reason, int lines = 1) => Interlocked.Add(ref _compatRefused[(int)reason], lines);

    public void CompatLineRefused(LineError error) => CompatLineRefused(error switch
    {
        LineError.InvalidSubject or LineError.UnspecifiedSubject => CompatRefusal.Subject,
        LineError.ReasonTooLong => CompatRefusal.Reason,
        LineError.LineTooLong => CompatRefusal.TooLong,
        _ => CompatRefusal.Syntax,
    });

    public void CompatSourceRefused() => Interlocked.Increment(ref _compatSourceRefused);

    public void CompatBusy() => Interlocked.Increment(ref _compatBusy);

    public void CompatTimeout() => Interlocked.Increment(ref _compatTimeouts);

    internal IEnumerable<(string Reporter, long Black, long White)> Reports() =>
        _reports.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, Interlocked.Read(ref r.Value[0]), Interlocked.Read(ref r.Value[1])));

    internal long BatchesAccepted => Interlocked.Read(ref _batchesAccepted);

    internal long BatchesDuplicate => Interlocked.Read(ref _batchesDuplicate);

    internal long BatchesRefused(BatchRefusal reason) => Interlocked.Read(ref _batchesRefused[(int)reason]);

    internal long CompatAccepted => Interlocked.Read(ref _compatAccepted);

    internal long CompatRefused(CompatRefusal reason) => Interlocked.Read(ref _compatRefused[(int)reason]);

    internal long CompatSourcesRefused => Interlocked.Read(ref _compatSourceRefused);

    internal long CompatBusyRefused => Interlocked.Read(ref _compatBusy);

    internal long CompatTimeouts => Interlocked.Read(ref _compatTimeouts);

    private static BatchRefusal RefusalOf(int status) => status switch
    {
        400 => BatchRefusal.BadRequest,
        401 => BatchRefusal.Unauthorized,
        403 => BatchRefusal.Forbidden,
        408 => BatchRefusal.Timeout,
        413 => BatchRefusal.TooLarge,
        429 => BatchRefusal.RateLimited,
        503 => BatchRefusal.Unavailable,
        _ => BatchRefusal.Other,
    };
}
