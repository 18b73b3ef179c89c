using KarmaKit.Collector.Dns;
using KarmaKit.Collector.State;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// <c>Collector:Policy</c> compiled: a pure function (subject view, now) → <see cref="ListingDecision"/> for each list.
/// Reporter and reason ids are resolved through the callbacks (the state's intern tables). Answers are cached per
/// reason, so entries with the same reason share one <see cref="ListingAnswer"/> (and one string). Not thread-safe:
/// the listing engine calls it under its writer lock.
/// </summary>
internal sealed class ListingPolicy
{
    private readonly ListingPolicyOptions _options;
    private readonly Func<int, string> _reporterName;
    private readonly Func<int, string> _reasonText;
    private readonly Dictionary<string, uint> _codes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, ListingAnswer> _black = [];
    private readonly Dictionary<int, ListingAnswer> _white = [];
    private readonly Dictionary<string, ListingAnswer> _operator = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (double Weight, int Cap)> _reporters = [];
    private readonly List<(uint Seen, double Weight)> _counted = [];
    private readonly Dictionary<(uint Code, string Class), ListingAnswer> _byClass = [];
    private readonly uint _generic;

    /// <summary>Distinct reasons per list with their own TXT text; later ones answer with their class only.</summary>
    public const int MaxDistinctAnswers = 30_000;

    public ListingPolicy(ListingPolicyOptions options, Func<int, string> reporterName, Func<int, string> reasonText)
    {
        _options = options;
        _reporterName = reporterName;
        _reasonText = reasonText;
        foreach (var (name, code) in ListingPolicyOptions.DefaultCodes.Concat(options.Codes))
        {
            _codes[name] = ListingPolicyOptionsValidator.TryParseCode(code, out var value) ? value : ListingAnswer.DefaultCode;
        }

        _generic = _codes["generic"];
        Ipv6Mask = Prefix.Mask(options.Ipv6Prefix);
    }

    public ListingPolicyOptions Options => _options;

    /// <summary>The mask that turns an IPv6 address into its listing key.</summary>
    public UInt128 Ipv6Mask { get; }

    /// <summary>The listing key of an address: itself for IPv4, its <c>Ipv6Prefix</c> network for IPv6.</summary>
    public IpSubject KeyOf(IpSubject subject) => subject.IsIPv4 ? subject : IpSubject.FromIPv6(subject.Value & Ipv6Mask);

    /// <summary>The weight and daily cap (0: none) of a reporter.</summary>
    public (double Weight, int Cap) Reporter(int id)
    {
        if (!_reporters.TryGetValue(id, out var entry))
        {
            entry = _options.Reporters.TryGetValue(_reporterName(id), out var r) ? (r.Weight, r.DailyCap) : (1d, 0);
            _reporters[id] = entry;
        }

        return entry;
    }

    /// <summary>The return code for a reason: its first word's class in <c>Collector:Policy:Codes</c>, else generic.</summary>
    public uint CodeFor(string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return _generic;
        }

        var space = reason.AsSpan().IndexOfAny(' ', '\t');
        var word = space < 0 ? reason.AsSpan() : reason.AsSpan(0, space);
        return _codes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(word, out var code) ? code : _generic;
    }

    /// <summary>The blocklist decision for <paramref name="view"/> at <paramref name="now"/>.</summary>
    public ListingDecision EvaluateBlock(SubjectView view, DateTime now)
    {
        var o = _options;
        if (SpecialPurposeRanges.Find(view.Key, o.ListDocumentationRanges) is { } special)
        {
            return ListingDecision.Not(ListingVerdict.SpecialPurpose, special.Text);
        }

        if (view.Allow is { } allow)
        {
            // Wins over any report; when it ends, reports still fresh list again (the review at its end).
            return ListingDecision.Not(ListingVerdict.OperatorAllow, OperatorText.Allow(allow),
                reviewAt: allow.Until is { } end && view.LastBlack != 0 ? Ceiling(end) : 0);
        }

        if (view.LastBlack == 0)
        {
            return ListingDecision.Not(ListingVerdict.NotReported);
        }

        var t = StateTime.Seconds(now);
        var blackEnd = view.LastBlack + Seconds(o.DelistAfter);
        var whiteEnd = view.LastWhite == 0 ? 0 : view.LastWhite + Seconds(o.WhiteWindow);
        if (t < whiteEnd)
        {
            return ListingDecision.Not(ListingVerdict.WhiteReport, $"white report at {Time(view.LastWhite)} wins until {Time(whiteEnd)}",
                reviewAt: blackEnd > whiteEnd ? StateTime.Clamp(whiteEnd) : 0);
        }

        var cutoff = t - Seconds(o.Window);
        if (view.Delist is { } delist)
        {
            // Sightings up to the delist's second no longer count; within its hold nothing lists the key.
            var delistedAt = StateTime.Seconds(delist.At);
            if (delist.Until is { } hold && now < hold)
            {
                return ListingDecision.Not(ListingVerdict.Delisted, OperatorText.Delist(delist, "no report lists it until then"),
                    reviewAt: view.LastBlack > delistedAt && blackEnd > Ceiling(hold) ? Ceiling(hold) : 0);
            }

            if (view.LastBlack <= delistedAt)
            {
                return ListingDecision.Not(ListingVerdict.Delisted, OperatorText.Delist(delist, "no black report since"));
            }

            cutoff = Math.Max(cutoff, delistedAt + 1);
        }

        if (t >= blackEnd)
        {
            return ListingDecision.Not(ListingVerdict.Expired, $"last black report at {Time(view.LastBlack)}, delisted at {Time(blackEnd)}");
        }

        _counted.Clear();
        var weight = 0d;
        var capped = 0;
        foreach (var r in view.Reporters)
        {
            if (r.LastSeen < cutoff)
            {
                continue;
            }

            if (r.Capped)
            {
                capped++;
                continue;
            }

            var w = Reporter(r.ReporterId).Weight;
            weight += w;
            _counted.Add((r.LastSeen, w));
        }

        if (weight < o.Threshold)
        {
            return ListingDecision.Not(ListingVerdict.BelowThreshold, capped == 0 ? null : $" ({capped} over their daily cap)", weight, o.Threshold);
        }

        // The listing holds while the newest reporters still reach the threshold: it falls when the one that completes
        // the sum (newest first) leaves the window, or at DelistAfter, whichever comes first.
        _counted.Sort((a, b) => b.Seen.CompareTo(a.Seen));
        var sum = 0d;
        var dropAt = long.MaxValue;
        foreach (var (seen, w) in _counted)
        {
            sum += w;
            if (sum >= o.Threshold)
            {
                dropAt = seen + Seconds(o.Window) + 1;
                break;
            }
        }

        var answer = Answer(_black, view.BlackReasonId, black: true);
        return new ListingDecision(ListingVerdict.Listed, answer, weight, o.Threshold, StateTime.Clamp(Math.Min(blackEnd, dropAt)), null);
    }

    /// <summary>The allowlist decision: a white report within <c>WhiteWindow</c>, outside the special-purpose ranges.</summary>
    public ListingDecision EvaluateAllow(SubjectView view, DateTime now)
    {
        if (SpecialPurposeRanges.Find(view.Key, _options.ListDocumentationRanges) is { } special)
        {
            return ListingDecision.Not(ListingVerdict.SpecialPurpose, special.Text);
        }

        if (view.Allow is { } allow && allow.Network.Length >= (view.Key.IsIPv4 ? 128 : _options.Ipv6Prefix))
        {
            // An entry within one key is published on the allowlist; a wider network only keeps keys off the blocklist.
            return new ListingDecision(ListingVerdict.Listed, OperatorAnswer(allow.Reason), 0, 0,
                allow.Until is { } end ? Ceiling(end) : 0, $"allowed by operator: {OperatorText.Allow(allow)}");
        }

        if (view.LastWhite == 0)
        {
            return ListingDecision.Not(ListingVerdict.NotReported);
        }

        var whiteEnd = view.LastWhite + Seconds(_options.WhiteWindow);
        if (StateTime.Seconds(now) >= whiteEnd)
        {
            return ListingDecision.Not(ListingVerdict.Expired, $"last white report at {Time(view.LastWhite)}, expired at {Time(whiteEnd)}");
        }

        return new ListingDecision(ListingVerdict.Listed, Answer(_white, view.WhiteReasonId, black: false), 0, 0, StateTime.Clamp(whiteEnd), null);
    }

    private ListingAnswer Answer(Dictionary<int, ListingAnswer> cache, int reasonId, bool black)
    {
        if (!cache.TryGetValue(reasonId, out var answer))
        {
            var reason = reasonId == 0 ? null : _reasonText(reasonId);
            var text = string.IsNullOrEmpty(reason) ? (black ? "listed" : "allowed") : reason;
            var code = black ? CodeFor(reason) : ListingAnswer.DefaultCode;
            if (cache.Count >= MaxDistinctAnswers)
            {
                // A list holds at most 65,536 distinct answers (ListingSet): past this many reasons, new ones share
                // one answer per code, with the reason's class as its text.
                return ClassAnswer(code, text);
            }

            answer = new ListingAnswer(code, text);
            cache[reasonId] = answer;
        }

        return answer;
    }

    private ListingAnswer ClassAnswer(uint code, string text)
    {
        var space = text.IndexOfAny([' ', '\t']);
        var word = space < 0 ? text : text[..space];
        if (!_byClass.TryGetValue((code, word), out var answer))
        {
            answer = new ListingAnswer(code, word);
            _byClass[(code, word)] = answer;
        }

        return answer;
    }

    private ListingAnswer OperatorAnswer(string? reason)
    {
        reason = string.IsNullOrEmpty(reason) ? "allowed by operator" : reason;
        if (!_operator.TryGetValue(reason, out var answer))
        {
            answer = new ListingAnswer(ListingAnswer.DefaultCode, reason);
            _operator[reason] = answer;
        }

        return answer;
    }

    /// <summary>The first whole second at or after <paramref name="time"/>, as a review time.</summary>
    private static uint Ceiling(DateTime time) => StateTime.Clamp(StateTime.Seconds(time) + (time.Ticks % TimeSpan.TicksPerSecond == 0 ? 0 : 1));

    private static long Seconds(TimeSpan span) => (long)span.TotalSeconds;

    private static string Time(long seconds) => StateTime.ToDateTime(StateTime.Clamp(seconds))!.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
