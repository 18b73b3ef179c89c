using System.Diagnostics;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// The DNSBL's listing engine: <see cref="ListingPolicy"/> applied to <see cref="SubjectStateStore"/>, published for
/// the DNS server as <see cref="IDnsListing"/>. Built from the whole state at start (<see cref="Recovered"/>, after
/// the state's own rebuild); then, after each durable group commit (<see cref="Appended"/>, on the log writer thread,
/// after the state applied it and before the HTTP 200), the touched keys are re-evaluated and one new snapshot is
/// published, so an acknowledged report already answers in DNS. A review timer re-evaluates keys whose decision
/// changes with time alone (expiry, a reporter leaving the window, a white report running out). Each list's SOA
/// serial starts at the Unix time of the start, or past the previous run's serials (<see cref="SerialReservation"/>),
/// and grows by one with every publication that changes the list.
/// </summary>
internal sealed partial class ListingEngine : IDnsListing, IKarmaLogObserver, IDisposable
{
    private readonly SubjectStateStore _store;
    private readonly SerialReservation _serials;
    private readonly ListingPolicyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _write = new();
    private readonly UInt128 _mask;
    private readonly bool _aggregate;
    private readonly SubjectView _view = new();
    private readonly HashSet<UInt128> _touched = [];
    private readonly Dictionary<UInt128, ListingAnswer> _pendingBlock = [];
    private readonly Dictionary<UInt128, ListingAnswer> _pendingAllow = [];
    private readonly Dictionary<UInt128, List<UInt128>> _members = [];
    private readonly OperatorIndex _operator;
    private ListingPolicy _policy;
    private DailyCapLedger _ledger = new();
    private Snapshot _snapshot;

    public ListingEngine(SubjectStateStore store, CollectorOptions options, SerialReservation serials, TimeProvider time, ILogger<ListingEngine> logger)
    {
        _serials = serials;
        _store = store;
        _options = options.Policy;
        _time = time;
        _logger = logger;
        _policy = NewPolicy();
        _mask = _policy.Ipv6Mask;
        _aggregate = _options.Ipv6Prefix < 128;
        _operator = new OperatorIndex(_options.Ipv6Prefix);
        var serial = serials.Start(StateTime.FromDateTime(time.GetUtcNow().UtcDateTime));
        _snapshot = new Snapshot(Empty(serial), Empty(serial));
        _timer = time.CreateTimer(_ => Review(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The policy in use (for <c>lookup</c> and tests). Writer side.</summary>
    public ListingPolicy Policy => _policy;

    public bool TryGet(DnsList list, IpSubject subject, out ListingAnswer answer)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        var key = subject.IsIPv4 ? subject.Value : subject.Value & _mask;
        return (list == DnsList.Block ? snapshot.Block : snapshot.Allow).TryGet(key, out answer);
    }

    public uint Serial(DnsList list) => Index(list).Serial;

    public IpSubject ListedAs(DnsList list, IpSubject subject) => subject.IsIPv4 ? subject : IpSubject.FromIPv6(subject.Value & _mask);

    /// <summary>The prefix length of an IPv6 listing key (<c>Collector:Policy:Ipv6Prefix</c>).</summary>
    public int Ipv6Prefix => _options.Ipv6Prefix;

    /// <summary>Entries on a list.</summary>
    public int Count(DnsList list) => Index(list).Count;

    /// <summary>The published index of a list (exports, tests).</summary>
    public ListingIndex Index(DnsList list)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        return list == DnsList.Block ? snapshot.Block : snapshot.Allow;
    }

    /// <summary>Why a subject is or is not listed now: both lists' decisions for its key.</summary>
    public (ListingDecision Block, ListingDecision Allow) Explain(IpSubject subject)
    {
        lock (_write)
        {
            var key = _policy.KeyOf(subject).Value;
            var now = _time.GetUtcNow().UtcDateTime;
            Load(key, now);
            _ledger.Apply(_view, _policy);
            return (_policy.EvaluateBlock(_view, now), _policy.EvaluateAllow(_view, now));
        }
    }

    public void Recovered(string logPath)
    {
        var stopwatch = Stopwatch.StartNew();
        List<IpSubject> subjects;
        List<Operator.OperatorAction> actions;
        using (_store.EnterWrite())
        {
            subjects = [.. _store.Subjects()];
            actions = [.. _store.Operator.Entries];
        }

        lock (_write)
        {
            _policy = NewPolicy();
            _ledger = new DailyCapLedger();
            _members.Clear();
            _operator.Clear();
            ClearReviews();
            var keys = new List<UInt128>(subjects.Count);
            var prefixes = new HashSet<UInt128>();
            foreach (var subject in subjects)
            {
                Track(subject, out var key);
                if (subject.IsIPv4 || prefixes.Add(key))
                {
                    keys.Add(key); // each key once: addresses are unique in the state, IPv6 prefixes are not
                }
            }

            var unreported = new HashSet<UInt128>();
            foreach (var action in actions.OrderBy(a => a.At))
            {
                _operator.Apply(action);
                var key = _operator.KeyOf(action.Network.Prefix);
                if (_operator.WithinOneKey(action.Network) && !_store.TryGet(IpSubject.FromIPv6(key), out _) && !prefixes.Contains(key))
                {
                    unreported.Add(key); // an allow entry of an address nobody reported is still on the allowlist
                }
            }

            keys.AddRange(unreported);

            var now = _time.GetUtcNow().UtcDateTime;
            var block = new List<KeyValuePair<IpSubject, ListingAnswer>>();
            var allow = new List<KeyValuePair<IpSubject, ListingAnswer>>();
            foreach (var key in keys)
            {
                var (b, a) = Evaluate(key, now);
                if (b.IsListed)
                {
                    block.Add(new(IpSubject.FromIPv6(key), b.Answer));
                }

                if (a.IsListed)
                {
                    allow.Add(new(IpSubject.FromIPv6(key), a.Answer));
                }
            }

            var old = _snapshot;
            Publish(new Snapshot(
                new ListingIndex(ListingSet.Build(block), [], [], block.Count, unchecked(old.Block.Serial + 1)),
                new ListingIndex(ListingSet.Build(allow), [], [], allow.Count, unchecked(old.Allow.Serial + 1))));
            ScheduleReview();
            _logger.ListingRebuilt(block.Count, allow.Count, subjects.Count, stopwatch.ElapsedMilliseconds);
        }
    }

    public void Appended(in KarmaLogAppend append)
    {
        lock (_write)
        {
            _touched.Clear();
            foreach (var batch in append.Batches)
            {
                foreach (var report in batch.Reports)
                {
                    Track(report.Subject, out var key);
                    _touched.Add(key);
                }
            }

            foreach (var action in append.Actions ?? [])
            {
                _operator.Apply(action);
                TouchOperator(action.Network);
            }

            ReevaluateTouched();
        }
    }

    public void Closed()
    {
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>The key of an address; an IPv6 prefix remembers its member addresses.</summary>
    private void Track(IpSubject subject, out UInt128 key)
    {
        key = _policy.KeyOf(subject).Value;
        if (subject.IsIPv4 || !_aggregate)
        {
            return;
        }

        if (!_members.TryGetValue(key, out var members))
        {
            _members[key] = [subject.Value];
        }
        else if (!members.Contains(subject.Value))
        {
            members.Add(subject.Value);
        }
    }

    /// <summary>Re-evaluates <see cref="_touched"/> and publishes one snapshot with the changes. Under the writer lock.</summary>
    private void ReevaluateTouched()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var current = _snapshot;
        foreach (var key in _touched)
        {
            var (block, allow) = Evaluate(key, now);
            Stage(current.Block, _pendingBlock, key, block.IsListed ? block.Answer : default);
            Stage(current.Allow, _pendingAllow, key, allow.IsListed ? allow.Answer : default);
        }

        if (_pendingBlock.Count + _pendingAllow.Count > 0)
        {
            var block = Apply(current.Block, _pendingBlock);
            var allow = Apply(current.Allow, _pendingAllow);
            Publish(new Snapshot(block, allow));
            _pendingBlock.Clear();
            _pendingAllow.Clear();
            MaybeMerge(block, allow);
        }

        ScheduleReview();
    }

    /// <summary>Both decisions for a key, from the state of every address under it; schedules its review.</summary>
    private (ListingDecision Block, ListingDecision Allow) Evaluate(UInt128 key, DateTime now)
    {
        Load(key, now);
        _ledger.Apply(_view, _policy);
        var block = _policy.EvaluateBlock(_view, now);
        var allow = _policy.EvaluateAllow(_view, now);
        var review = block.ReviewAt == 0 ? allow.ReviewAt : allow.ReviewAt == 0 ? block.ReviewAt : Math.Min(block.ReviewAt, allow.ReviewAt);
        if (review != 0)
        {
            AddReview(key, review);
        }

        return (block, allow);
    }

    private void Load(UInt128 key, DateTime now)
    {
        var subject = IpSubject.FromIPv6(key);
        _view.Reset(subject);
        _view.Allow = _operator.AllowFor(key, now);
        _view.Delist = _operator.DelistFor(key);
        if (!subject.IsIPv4 && _aggregate)
        {
            if (_members.TryGetValue(key, out var members))
            {
                foreach (var member in members)
                {
                    if (_store.TryGet(IpSubject.FromIPv6(member), out var state))
                    {
                        _view.Add(state);
                    }
                }
            }
        }
        else if (_store.TryGet(subject, out var state))
        {
            _view.Add(state);
        }
    }

    private ListingPolicy NewPolicy() => new(_options, id => _store.Reporters[id], id => _store.Reasons[id]);

    /// <summary>Publishes a snapshot with new serials, once the serial reservation covers them. Under the writer lock.</summary>
    private void Publish(Snapshot next)
    {
        _serials.Cover(next.Block.Serial);
        _serials.Cover(next.Allow.Serial);
        Volatile.Write(ref _snapshot, next);
    }

    private static ListingIndex Empty(uint serial) => new(ListingSet.Build([]), [], [], 0, serial);

    private sealed record Snapshot(ListingIndex Block, ListingIndex Allow);
}
