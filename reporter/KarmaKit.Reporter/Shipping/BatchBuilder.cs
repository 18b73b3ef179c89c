using KarmaKit.Protocol;
using KarmaKit.Protocol.Batches;
using KarmaKit.Protocol.Subjects;
using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Shipping;

/// <summary>
/// Gathers spooled records, in spool order, into one batch. Identical (verb, subject, reason) are
/// coalesced into one report with a count and the first and last receive time. Takes records until
/// <c>maxRecords</c> spooled records or about <c>maxBytes</c> of JSON, whichever comes first; the
/// first record is always taken.
/// </summary>
internal sealed class BatchBuilder
{
    /// <summary><c>{"reporter":"","batch":"","reports":[]}</c> plus room for the longest batch id.</summary>
    internal const int EnvelopeBytes = 40 + ProtocolLimits.MaxBatchIdLength;

    /// <summary>
    /// One report without its subject and reason text:
    /// <c>{"verb":"black","subject":"","reason":"","first":"…Z","last":"…Z","count":100000},</c>.
    /// </summary>
    internal const int ReportOverheadBytes = 128;

    private readonly List<SpoolRecord> _records = [];
    private readonly List<Accumulator> _reports = [];
    private readonly Dictionary<ReportKey, int> _index = [];
    private int _maxRecords;
    private int _maxBytes;
    private bool _bytesFull;

    public BatchBuilder(int maxRecords, int maxBytes) => Reset(maxRecords, maxBytes);

    /// <summary>The spooled records taken, in spool order.</summary>
    public IReadOnlyList<SpoolRecord> Records => _records;

    /// <summary>Distinct reports after coalescing.</summary>
    public int ReportCount => _reports.Count;

    /// <summary>An upper estimate of the JSON size, without the reporter name.</summary>
    public int EstimatedBytes { get; private set; }

    /// <summary>How many more records may be taken.</summary>
    public int RemainingRecords => _bytesFull ? 0 : _maxRecords - _records.Count;

    public bool IsFull => RemainingRecords <= 0;

    public void Reset(int maxRecords, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _maxRecords = maxRecords;
        _maxBytes = maxBytes;
        _records.Clear();
        _reports.Clear();
        _index.Clear();
        _bytesFull = false;
        EstimatedBytes = EnvelopeBytes;
    }

    /// <summary>Takes the next record, or returns false (and takes no more) when the batch is full.</summary>
    public bool TryAdd(in SpoolRecord record)
    {
        if (IsFull)
        {
            return false;
        }

        var received = ToWireTime(record.Received);
        var key = new ReportKey(record.Verb, record.Subject, record.Reason);
        if (_index.TryGetValue(key, out var i))
        {
            _reports[i].Add(received);
        }
        else
        {
            Span<byte> subject = stackalloc byte[IpSubject.MaxTextLength];
            record.Subject.TryFormat(subject, out var subjectBytes);
            var bytes = ReportOverheadBytes + subjectBytes + EscapedLength(record.Reason);
            if (_records.Count > 0 && EstimatedBytes + bytes > _maxBytes)
            {
                _bytesFull = true;
                return false;
            }

            EstimatedBytes += bytes;
            _index.Add(key, _reports.Count);
            _reports.Add(new Accumulator(key, received));
        }

        _records.Add(record);
        return true;
    }

    /// <summary>The batch body for the records taken so far.</summary>
    public ReportBatch Build(string reporter, string batchId)
    {
        var reports = new BatchReport[_reports.Count];
        for (var i = 0; i < reports.Length; i++)
        {
            var a = _reports[i];
            reports[i] = new BatchReport
            {
                Verb = a.Key.Verb.ToWire(),
                Subject = a.Key.Subject.ToString(),
                Reason = a.Key.Reason,
                First = a.First,
                Last = a.Last,
                Count = a.Count,
            };
        }

        return new ReportBatch { Reporter = reporter, Batch = batchId, Reports = reports };
    }

    /// <summary>UTC with millisecond precision, so it serialises as <c>2026-11-26T17:18:58.123Z</c>.</summary>
    internal static DateTime ToWireTime(DateTime time)
    {
        var utc = time.Kind switch
        {
            DateTimeKind.Local => time.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
            _ => time,
        };
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    /// <summary>
    /// JSON length of a string under System.Text.Json's default encoder, which writes non-ASCII,
    /// control and HTML-sensitive characters as <c>\uXXXX</c>; an upper bound for the rest.
    /// </summary>
    internal static int EscapedLength(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        var length = 0;
        foreach (var c in text)
        {
            length += c is < ' ' or > '~' or '"' or '\\' or '&' or '\'' or '<' or '>' or '+' or '`' ? 6 : 1;
        }

        return length;
    }

    private readonly record struct ReportKey(Verb Verb, IpSubject Subject, string? Reason);

    private sealed class Accumulator(ReportKey key, DateTime received)
    {
        public ReportKey Key { get; } = key;

        public DateTime First { get; private set; } = received;

        public DateTime Last { get; private set; } = received;

        public int Count { get; private set; } = 1;

        public void Add(DateTime received)
        {
            Count++;
            if (received < First)
            {
                First = received;
            }

            if (received > Last)
            {
                Last = received;
            }
        }
    }
}
