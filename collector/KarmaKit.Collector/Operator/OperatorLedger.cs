namespace KarmaKit.Collector.Operator;

/// <summary>
/// The operator's standing entries, as karma.log has them so far: allow entries by network (the latest <c>allow</c>
/// of a network, until an <c>unallow</c> of the same network) and the latest <c>delist</c> of each address. Kept with
/// the subject state (<see cref="State.SubjectStateStore.Operator"/>) so the state snapshot carries them and a restart
/// that replays only the log's tail still has the ones written before it. Writer side only: the state's write lock.
/// </summary>
internal sealed class OperatorLedger
{
    private readonly Dictionary<IpNetwork, OperatorAction> _allows = [];
    private readonly Dictionary<UInt128, OperatorAction> _delists = [];

    public int Count => _allows.Count + _delists.Count;

    /// <summary>Allow entries, then delists, each in no particular order.</summary>
    public IEnumerable<OperatorAction> Entries => _allows.Values.Concat(_delists.Values);

    public void Apply(OperatorAction action)
    {
        switch (action.Verb)
        {
            case OperatorVerb.Allow:
                _allows[action.Network] = action;
                break;
            case OperatorVerb.Unallow:
                _allows.Remove(action.Network);
                break;
            case OperatorVerb.Delist:
                _delists[action.Network.Prefix] = action;
                break;
        }
    }

    public void Clear()
    {
        _allows.Clear();
        _delists.Clear();
    }

    /// <summary>
    /// Drops what can no longer change a decision at <paramref name="now"/>: allow entries past their end, and delists
    /// whose hold is over and whose time is more than <paramref name="relevance"/> ago (the policy's longest look back,
    /// so no sighting from before the delist can count any more).
    /// </summary>
    public void Prune(DateTime now, TimeSpan relevance)
    {
        foreach (var (network, action) in _allows)
        {
            if (!action.LastsAt(now))
            {
                _allows.Remove(network);
            }
        }

        foreach (var (address, action) in _delists)
        {
            var held = action.Until is { } hold && now < hold; // a delist without an end has no hold
            if (!held && action.At + relevance < now)
            {
                _delists.Remove(address);
            }
        }
    }

    /// <summary>Every entry as its karma.log line (the snapshot's form).</summary>
    public string[] Lines() => [.. Entries.Select(OperatorLogLine.Format)];

    /// <summary>Replaces the entries by those of <paramref name="lines"/> (a snapshot's); false when one does not parse.</summary>
    public bool Load(IEnumerable<string> lines)
    {
        Clear();
        foreach (var line in lines)
        {
            if (!OperatorLogLine.TryParse(System.Text.Encoding.UTF8.GetBytes(line), out var action))
            {
                return false;
            }

            Apply(action!);
        }

        return true;
    }
}
