using KarmaKit.Collector.Operator;
using KarmaKit.Collector.State;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>Everything the operator's <c>lookup</c> shows for an address: both decisions and what they were made from.</summary>
internal sealed record ListingReport(
    IpSubject Address,
    IpSubject Key,
    int KeyLength,
    ListingDecision Block,
    ListingDecision Allow,
    IReadOnlyList<SubjectReport> Subjects,
    IReadOnlyList<ReporterReport> Reporters,
    OperatorAction? AllowEntry,
    OperatorAction? Delist);

/// <summary>One reported address under the key, from the state.</summary>
internal sealed record SubjectReport(IpSubject Address, DateTime? FirstBlack, DateTime? LastBlack, DateTime? LastWhite,
    uint BlackCount, uint WhiteCount, string? BlackReason, string? WhiteReason, string? WhiteReporter);

/// <summary>A distinct black reporter of the key: its latest sighting, weight, and whether its daily cap kept it from counting.</summary>
internal sealed record ReporterReport(string Name, DateTime LastSeen, double Weight, bool Capped);

internal sealed partial class ListingEngine
{
    /// <summary>The decisions for an address's key with the state and operator entries behind them (admin <c>lookup</c>).</summary>
    public ListingReport Inspect(IpSubject address)
    {
        lock (_write)
        {
            var key = _policy.KeyOf(address);
            var now = _time.GetUtcNow().UtcDateTime;
            Load(key.Value, now);
            _ledger.Apply(_view, _policy);
            var block = _policy.EvaluateBlock(_view, now);
            var allow = _policy.EvaluateAllow(_view, now);
            var subjects = new List<SubjectReport>();
            IEnumerable<UInt128> members = !key.IsIPv4 && _aggregate
                ? _members.TryGetValue(key.Value, out var list) ? list : []
                : [key.Value];
            foreach (var member in members)
            {
                if (_store.TryGet(IpSubject.FromIPv6(member), out var state))
                {
                    subjects.Add(new SubjectReport(IpSubject.FromIPv6(member), state.FirstBlack, state.LastBlack, state.LastWhite,
                        state.BlackCount, state.WhiteCount, Text(_store.Reasons, state.BlackReasonId), Text(_store.Reasons, state.WhiteReasonId),
                        Text(_store.Reporters, state.WhiteReporterId)));
                }
            }

            var reporters = _view.Reporters
                .OrderByDescending(r => r.LastSeen)
                .Select(r => new ReporterReport(_store.Reporters[r.ReporterId], StateTime.ToDateTime(r.LastSeen)!.Value, _policy.Reporter(r.ReporterId).Weight, r.Capped))
                .ToList();
            return new ListingReport(address, key, key.IsIPv4 ? 32 : _options.Ipv6Prefix, block, allow, subjects, reporters, _view.Allow, _view.Delist);
        }
    }

    private static string? Text(InternTable table, int id) => id == 0 ? null : table[id];
}
