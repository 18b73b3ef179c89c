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
        var v4 = new Dictionary<uint, ushort>();
        var v6 = new Dictionary<UInt128, ushort>();
        foreach (var (subject, answer) in entries)
        {
            if (!answer.IsValid)
            {
                throw new ArgumentException("an entry has no answer", nameof(entries));
            }

            if (!ids.TryGetValue(answer, out var id))
            {
                id = checked((ushort)table.Count);
                ids.Add(answer, id);
                table.Add(answer);
            }

            if (subject.IsIPv4)
            {
                v4[subject.IPv4Value] = id;
            }
            else
            {
                v6[subject.Value] = id;
            }
        }

        var v4Keys = v4.Keys.ToArray();
        var v4Ids = v4.Values.ToArray();
        Array.Sort(v4Keys, v4Ids);
        var v6Keys = v6.Keys.ToArray();
        var v6Ids = v6.Values.ToArray();
        Array.Sort(v6Keys, v6Ids);
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
}
