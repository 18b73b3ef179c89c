namespace KarmaKit.Collector.Operator;

/// <summary>What an operator does to the lists (a karma.log line each, <see cref="OperatorLogLine"/>).</summary>
internal enum OperatorVerb : byte
{
    /// <summary>Put an address or network on the operator's allowlist: never on the blocklist while it lasts.</summary>
    Allow = 1,

    /// <summary>End an allow entry (the same network) before its time.</summary>
    Unallow = 2,

    /// <summary>End an address's listing now: sightings up to now no longer count; with an end, nothing lists it until then.</summary>
    Delist = 3,
}

/// <summary>An operator's request, before the log gives it its time.</summary>
/// <param name="Operator">Who (a reporter-style name; the log line's reporter is <c>operator:NAME</c>).</param>
/// <param name="For">How long an allow or a delist's hold lasts; null: an allow until removed, a delist without hold.</param>
internal sealed record OperatorRequest(string Operator, OperatorVerb Verb, IpNetwork Network, TimeSpan? For, string? Reason);

/// <summary>An operator action as written to karma.log: its time is the line's receive time.</summary>
/// <param name="Until">When an allow entry or a delist's hold ends; null: no end (allow) or no hold (delist).</param>
internal sealed record OperatorAction(DateTime At, string Operator, OperatorVerb Verb, IpNetwork Network, DateTime? Until, string? Reason)
{
    /// <summary>Whether an allow entry is still on at <paramref name="now"/> (no end: always).</summary>
    public bool LastsAt(DateTime now) => Until is not { } until || now < until;

    public static OperatorAction From(OperatorRequest request, DateTime at) =>
        new(at, request.Operator, request.Verb, request.Network, request.For is { } span ? at + span : null, request.Reason);
}

/// <summary>Spellings of <see cref="OperatorVerb"/> in karma.log.</summary>
internal static class OperatorVerbs
{
    public static string ToWire(this OperatorVerb verb) => verb switch
    {
        OperatorVerb.Allow => "allow",
        OperatorVerb.Unallow => "unallow",
        OperatorVerb.Delist => "delist",
        _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "unknown operator verb"),
    };

    public static bool TryParse(ReadOnlySpan<byte> text, out OperatorVerb verb)
    {
        verb = text.SequenceEqual("allow"u8) ? OperatorVerb.Allow
            : text.SequenceEqual("unallow"u8) ? OperatorVerb.Unallow
            : text.SequenceEqual("delist"u8) ? OperatorVerb.Delist
            : 0;
        return verb != 0;
    }
}
