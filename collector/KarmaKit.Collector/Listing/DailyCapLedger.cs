namespace KarmaKit.Collector.Listing;

/// <summary>
/// <c>Collector:Policy:Reporters:NAME:DailyCap</c>: how many listing keys a reporter may count towards per UTC day.
/// The state keeps, per subject, each reporter's latest sighting, not a history, so the ledger decides once per
/// (key, reporter) on the day of the sighting it first sees, in the order the engine evaluates (the log's order when
/// live; the state's insertion order, i.e. first reports, at start). A key refused on one day is tried again when the
/// reporter reports it on a later day. Only reporters with a cap are tracked.
/// </summary>
internal sealed class DailyCapLedger
{
    private readonly Dictionary<(UInt128 Key, int Reporter), (uint Day, bool Admitted)> _decisions = [];
    private readonly Dictionary<(int Reporter, uint Day), int> _used = [];

    public int Tracked => _decisions.Count;

    /// <summary>Marks <see cref="ReporterSighting.Capped"/> on the view's reporters over their cap.</summary>
    public void Apply(SubjectView view, ListingPolicy policy)
    {
        var reporters = view.Reporters;
        for (var i = 0; i < reporters.Count; i++)
        {
            var r = reporters[i];
            var cap = policy.Reporter(r.ReporterId).Cap;
            if (cap > 0 && !Admitted(view.Key.Value, r.ReporterId, r.LastSeen / 86_400, cap))
            {
                reporters[i] = r with { Capped = true };
            }
        }
    }

    private bool Admitted(UInt128 key, int reporter, uint day, int cap)
    {
        if (_decisions.TryGetValue((key, reporter), out var decision) && (decision.Admitted || decision.Day >= day))
        {
            return decision.Admitted;
        }

        _used.TryGetValue((reporter, day), out var used);
        var admitted = used < cap;
        if (admitted)
        {
            _used[(reporter, day)] = used + 1;
        }

        _decisions[(key, reporter)] = (day, admitted);
        return admitted;
    }
}
