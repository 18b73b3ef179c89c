using KarmaKit.Collector.Operator;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// The operator's entries in the engine: each <c>allow</c>, <c>unallow</c> and <c>delist</c> line reaches
/// <see cref="Appended"/> like a report, after its fsync and before the HTTP answer, and re-evaluates the keys it
/// covers, so the DNS answer has changed before the command returns. Their ends are reviews like any other expiry.
/// </summary>
internal sealed partial class ListingEngine
{
    /// <summary>Whether the operator's allowlist has an entry for exactly this network (unallow's check).</summary>
    public bool HasAllow(IpNetwork network)
    {
        lock (_write)
        {
            return _operator.HasAllow(network);
        }
    }

    /// <summary>The operator's allow entries and delists held (stats).</summary>
    public (int Allows, int Delists) OperatorCounts()
    {
        lock (_write)
        {
            return (_operator.AllowCount, _operator.DelistCount);
        }
    }

    /// <summary>
    /// Marks the keys an operator entry changes: the one key of an address (or of a network inside one IPv6 key), or
    /// every reported key inside a wider network (one pass over the state: operator actions are rare).
    /// </summary>
    private void TouchOperator(IpNetwork network)
    {
        if (_operator.WithinOneKey(network))
        {
            _touched.Add(_operator.KeyOf(network.Prefix));
            return;
        }

        using (_store.EnterWrite())
        {
            foreach (var subject in _store.Subjects())
            {
                if (network.Contains(subject.Value))
                {
                    _touched.Add(_policy.KeyOf(subject).Value);
                }
            }
        }
    }
}
