using KarmaKit.Collector.Operator;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// The operator's entries as the listing engine asks for them, by listing key: the allow entries that cover a key
/// (a network containing it, or, for IPv6 narrower than <c>Ipv6Prefix</c>, an entry inside it: the blocklist cannot
/// hold a hole in a /64, so such an allow keeps the whole key off) and the latest delist of an address under the key.
/// Writer side: the engine's lock.
/// </summary>
internal sealed class OperatorIndex(int ipv6Prefix)
{
    private readonly Dictionary<IpNetwork, OperatorAction> _allows = [];
    private readonly Dictionary<int, int> _lengths = [];
    private readonly Dictionary<UInt128, List<OperatorAction>> _narrow = [];
    private readonly Dictionary<UInt128, OperatorAction> _delists = [];
    private readonly UInt128 _mask = Prefix.Mask(ipv6Prefix);

    public int AllowCount => _allows.Count;

    public int DelistCount => _delists.Count;

    /// <summary>The allow entries, for <c>stats</c>.</summary>
    public IEnumerable<OperatorAction> Allows => _allows.Values;

    public bool HasAllow(IpNetwork network) => _allows.ContainsKey(network);

    /// <summary>The length of a key's network: 128 for IPv4 (one address), <c>Ipv6Prefix</c> for IPv6.</summary>
    public int KeyLength(UInt128 key) => KarmaKit.Protocol.Subjects.IpSubject.FromIPv6(key).IsIPv4 ? 128 : ipv6Prefix;

    /// <summary>Whether <paramref name="network"/> lies within one key (so one key's decision changes).</summary>
    public bool WithinOneKey(IpNetwork network) => network.Length >= KeyLength(network.Prefix);

    /// <summary>The listing key an address or narrow network falls under.</summary>
    public UInt128 KeyOf(UInt128 address) => KeyLength(address) == 128 ? address : address & _mask;

    public void Clear()
    {
        _allows.Clear();
        _lengths.Clear();
        _narrow.Clear();
        _delists.Clear();
    }

    public void Apply(OperatorAction action)
    {
        switch (action.Verb)
        {
            case OperatorVerb.Allow:
                RemoveAllow(action.Network);
                _allows[action.Network] = action;
                if (action.Network.Length > KeyLength(action.Network.Prefix))
                {
                    var key = KeyOf(action.Network.Prefix);
                    if (!_narrow.TryGetValue(key, out var list))
                    {
                        _narrow[key] = list = [];
                    }

                    list.Add(action);
                }
                else
                {
                    _lengths[action.Network.Length] = _lengths.GetValueOrDefault(action.Network.Length) + 1;
                }

                break;
            case OperatorVerb.Unallow:
                RemoveAllow(action.Network);
                break;
            case OperatorVerb.Delist:
                var delistKey = KeyOf(action.Network.Prefix);
                if (!_delists.TryGetValue(delistKey, out var old) || Supersedes(action, old))
                {
                    _delists[delistKey] = action;
                }

                break;
        }
    }

    /// <summary>
    /// Which of two delists under one key stands: the later, and at the same time (two addresses of a /64 in one group
    /// commit) the one holding longer, then the higher address. Never the order applied, which after a restart is
    /// the snapshot's, not the log's.
    /// </summary>
    private static bool Supersedes(OperatorAction candidate, OperatorAction current)
    {
        if (candidate.At != current.At)
        {
            return candidate.At > current.At;
        }

        var (holds, held) = (candidate.Until ?? DateTime.MinValue, current.Until ?? DateTime.MinValue);
        return holds != held ? holds > held : candidate.Network.Prefix >= current.Network.Prefix;
    }

    /// <summary>The allow entry in force for a key at <paramref name="now"/> (the one lasting longest), or null.</summary>
    public OperatorAction? AllowFor(UInt128 key, DateTime now)
    {
        if (_allows.Count == 0)
        {
            return null;
        }

        OperatorAction? best = null;
        var keyLength = KeyLength(key);
        foreach (var (length, _) in _lengths)
        {
            if (length <= keyLength && _allows.TryGetValue(new IpNetwork(key & Prefix.Mask(length), length), out var entry))
            {
                best = Better(best, entry, now);
            }
        }

        if (_narrow.TryGetValue(key, out var narrow))
        {
            foreach (var entry in narrow)
            {
                best = Better(best, entry, now);
            }
        }

        return best;
    }

    /// <summary>The latest delist of an address under the key, or null.</summary>
    public OperatorAction? DelistFor(UInt128 key) => _delists.Count != 0 && _delists.TryGetValue(key, out var action) ? action : null;

    private static OperatorAction? Better(OperatorAction? best, OperatorAction candidate, DateTime now)
    {
        if (!candidate.LastsAt(now))
        {
            return best;
        }

        return best is null || best.Until is { } until && (candidate.Until is null || candidate.Until > until) ? candidate : best;
    }

    private void RemoveAllow(IpNetwork network)
    {
        if (!_allows.Remove(network, out var old))
        {
            return;
        }

        if (network.Length > KeyLength(network.Prefix))
        {
            var key = KeyOf(network.Prefix);
            _narrow[key].Remove(old);
            if (_narrow[key].Count == 0)
            {
                _narrow.Remove(key);
            }
        }
        else if (--_lengths[network.Length] == 0)
        {
            _lengths.Remove(network.Length);
        }
    }
}
