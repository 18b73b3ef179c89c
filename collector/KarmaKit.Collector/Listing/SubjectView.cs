using KarmaKit.Collector.State;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// What the policy decides on: one listing key (an IPv4 address, or an IPv6 prefix) with the state of every reported
/// address in it merged: latest black and white sightings, their reasons, and each distinct black reporter's latest
/// sighting. Times are <see cref="StateTime"/> seconds (0: never). Writer-side and reusable (<see cref="Reset"/>).
/// </summary>
internal sealed class SubjectView
{
    private readonly List<ReporterSighting> _reporters = [];

    public IpSubject Key { get; private set; }

    public uint LastBlack { get; private set; }

    public uint LastWhite { get; private set; }

    public int BlackReasonId { get; private set; }

    public int WhiteReasonId { get; private set; }

    /// <summary>The operator's allow entry in force for the key (set by the engine), or null.</summary>
    public Operator.OperatorAction? Allow { get; set; }

    /// <summary>The operator's latest delist of the key (set by the engine), or null.</summary>
    public Operator.OperatorAction? Delist { get; set; }

    /// <summary>Distinct black reporters; <see cref="ReporterSighting.Capped"/> is set by the daily cap ledger.</summary>
    public List<ReporterSighting> Reporters => _reporters;

    /// <summary>A view of one subject's state (tests, <c>lookup</c>).</summary>
    public static SubjectView Of(IpSubject key, in SubjectState state)
    {
        var view = new SubjectView();
        view.Reset(key);
        view.Add(state);
        return view;
    }

    public void Reset(IpSubject key)
    {
        Key = key;
        LastBlack = LastWhite = 0;
        BlackReasonId = WhiteReasonId = 0;
        Allow = Delist = null;
        _reporters.Clear();
    }

    /// <summary>Merges one address's state into the view.</summary>
    public void Add(in SubjectState state)
    {
        var black = state.LastBlack is { } lb ? StateTime.FromDateTime(lb) : 0u;
        var white = state.LastWhite is { } w ? StateTime.FromDateTime(w) : 0u;
        if (black != 0 && black >= LastBlack)
        {
            LastBlack = black;
            BlackReasonId = state.BlackReasonId != 0 ? state.BlackReasonId : BlackReasonId;
        }

        if (white != 0 && white >= LastWhite)
        {
            LastWhite = white;
            WhiteReasonId = state.WhiteReasonId != 0 ? state.WhiteReasonId : WhiteReasonId;
        }

        for (var i = 0; i < state.ReporterCount; i++)
        {
            var (id, seen) = state.Reporter(i);
            AddReporter(id, StateTime.FromDateTime(seen));
        }
    }

    /// <summary>Adds (or refreshes) a black reporter's sighting; for tests and merges.</summary>
    public void AddReporter(int reporterId, uint lastSeen)
    {
        for (var j = 0; j < _reporters.Count; j++)
        {
            if (_reporters[j].ReporterId == reporterId)
            {
                _reporters[j] = _reporters[j] with { LastSeen = Math.Max(_reporters[j].LastSeen, lastSeen) };
                return;
            }
        }

        _reporters.Add(new ReporterSighting(reporterId, lastSeen, false));
    }

    /// <summary>Sets the latest black and white sightings directly (tests).</summary>
    public void Set(uint lastBlack, int blackReasonId, uint lastWhite, int whiteReasonId)
    {
        (LastBlack, BlackReasonId, LastWhite, WhiteReasonId) = (lastBlack, blackReasonId, lastWhite, whiteReasonId);
    }
}

/// <summary>A black reporter's latest sighting of the key; <paramref name="Capped"/>: over its daily cap, so not counted.</summary>
internal readonly record struct ReporterSighting(int ReporterId, uint LastSeen, bool Capped);
