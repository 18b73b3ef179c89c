using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// One list's entries, immutable: IPv4 and IPv6 keys in sorted arrays (binary search, no per-entry objects) with an
/// index into a small table of distinct answers, so a million IPv4 entries cost about 6 bytes each.
/// </summary>
internal sealed class ListingSet
{
    private readonly uint[] _v4;
    private readonly ushort[] _v4Answers;
    private readonly UInt128[] _v6;
    private readonly ushort[] _v6Answers;
    private readonly ListingAnswer[] _answers;

    private ListingSet(uint[] v4, ushort[] v4Answers, UInt128[] v6, ushort[] v6Answers, ListingAnswer[] answers)
    {
        _v4 = v4;
        _v4Answers = v4Answers;
        _v6 = v6;
        _v6Answers = v6Answers;
        _answers = answers;
    }

    public int Count => _v4.Length + _v6.Length;

    /// <summary>Sorts and deduplicates (the last answer for a subject wins); at most 65,536 distinct answers.</summary>
    public static ListingSet Build(IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> entries)
    {
        var table = new List<ListingAnswer>();
        var ids = new Dictionary<ListingAnswer, ushort>();
        var v4 = new Column<uint>();
        var v6 = new Column<UInt128>();
        var last = default(ListingAnswer);
        ushort lastId = 0;
        foreach (var (subject, answer) in entries)
        {
            if (!answer.IsValid)
            {
                throw new ArgumentException("an entry has no answer", nameof(entries));
            }

            if (table.Count == 0 || !answer.Equals(last))
            {
                if (!ids.TryGetValue(answer, out lastId))
                {
                    lastId = checked((ushort)table.Count);
                    ids.Add(answer, lastId);
                    table.Add(answer);
                }

                last = answer;
            }

            if (subject.IsIPv4)
            {
                v4.Add(subject.IPv4Value, lastId);
            }
            else
            {
                v6.Add(subject.Value, lastId);
            }
        }

        var (v4Keys, v4Ids) = v4.SortedUnique();
        var (v6Keys, v6Ids) = v6.SortedUnique();
        return new ListingSet(v4Keys, v4Ids, v6Keys, v6Ids, [.. table]);
    }

    public bool TryGet(IpSubject subject, out ListingAnswer answer)
    {
        var i = subject.IsIPv4
            ? _v4.AsSpan().BinarySearch(subject.IPv4Value)
            : _v6.AsSpan().BinarySearch(subject.Value);
        if (i < 0)
        {
            answer = default;
            return false;
        }

        answer = _answers[subject.IsIPv4 ? _v4Answers[i] : _v6Answers[i]];
        return true;
    }

    /// <summary>Every entry, IPv4 first, each part in key order (for merges and exports).</summary>
    public IEnumerable<KeyValuePair<IpSubject, ListingAnswer>> Entries()
    {
        for (var i = 0; i < _v4.Length; i++)
        {
            yield return new(IpSubject.FromIPv4(_v4[i]), _answers[_v4Answers[i]]);
        }

        for (var i = 0; i < _v6.Length; i++)
        {
            yield return new(IpSubject.FromIPv6(_v6[i]), _answers[_v6Answers[i]]);
        }
    }

    /// <summary>Keys with their answer ids in arrival order, sorted at the end with the last arrival of a key kept.</summary>
    private sealed class Column<T>
        where T : struct, IComparable<T>
    {
        private T[] _keys = new T[16];
        private long[] _tags = new long[16];
        private int _count;

        public void Add(T key, ushort id)
        {
            if (_count == _keys.Length)
            {
                Array.Resize(ref _keys, _count * 2);
                Array.Resize(ref _tags, _count * 2);
            }

            _keys[_count] = key;
            _tags[_count] = ((long)_count << 16) | id; // arrival order above the id, so ties sort by arrival
            _count++;
        }

        public (T[] Keys, ushort[] Ids) SortedUnique()
        {
            var keys = _keys.AsSpan(0, _count);
            var tags = _tags.AsSpan(0, _count);
            keys.Sort(tags);
            var n = 0;
            for (var i = 0; i < keys.Length; i++)
            {
                var j = i;
                var tag = tags[i];
                while (j + 1 < keys.Length && keys[j + 1].CompareTo(keys[i]) == 0)
                {
                    tag = Math.Max(tag, tags[++j]);
                }

                keys[n] = keys[i];
                tags[n] = tag;
                n++;
                i = j;
            }

            var ids = new ushort[n];
            for (var i = 0; i < n; i++)
            {
                ids[i] = (ushort)tags[i];
            }

            return (keys[..n].ToArray(), ids);
        }
    }
}
