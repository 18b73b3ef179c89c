using System.Globalization;
using KarmaKit.Collector.Dns;

namespace KarmaKit.Collector.Listing;

/// <summary>The outcome of the policy for one key and list.</summary>
internal enum ListingVerdict
{
    /// <summary>On the list.</summary>
    Listed,

    /// <summary>No report of the kind this list is made from.</summary>
    NotReported,

    /// <summary>Weighted distinct reporters within the window below the threshold.</summary>
    BelowThreshold,

    /// <summary>The last black report is older than <c>DelistAfter</c> (or the white report than <c>WhiteWindow</c>).</summary>
    Expired,

    /// <summary>A white report within <c>WhiteWindow</c> keeps it off the blocklist.</summary>
    WhiteReport,

    /// <summary>In a special-purpose range that is never listed.</summary>
    SpecialPurpose,

    /// <summary>On the operator's allowlist (<c>allow</c>): never on the blocklist while the entry lasts.</summary>
    OperatorAllow,

    /// <summary>Delisted by the operator (<c>delist</c>): no black sighting since, or within its hold.</summary>
    Delisted,
}

/// <summary>
/// Listed (with its DNS answer) or not (with why), and when the decision can next change without a new report
/// (<see cref="ReviewAt"/>, StateTime seconds; 0: only a new report changes it).
/// </summary>
internal readonly record struct ListingDecision(ListingVerdict Verdict, ListingAnswer Answer, double Weight, double Threshold, uint ReviewAt, string? Detail)
{
    public bool IsListed => Verdict == ListingVerdict.Listed;

    /// <summary>One line for an operator: "listed 127.0.0.3 (virus Eicar)", "below threshold: 1/2 weighted reporters", ….</summary>
    public string Why() => Verdict switch
    {
        ListingVerdict.Listed when Detail is not null => $"listed {Code(Answer.Code)} ({Answer.Reason}), {Detail}",
        ListingVerdict.Listed => $"listed {Code(Answer.Code)} ({Answer.Reason}), weighted reporters {Format(Weight)}/{Format(Threshold)}",
        ListingVerdict.NotReported => "not reported",
        ListingVerdict.BelowThreshold => $"below threshold: {Format(Weight)}/{Format(Threshold)} weighted reporters in the window{Detail}",
        ListingVerdict.Expired => $"expired: {Detail}",
        ListingVerdict.WhiteReport => $"white report: {Detail}",
        ListingVerdict.SpecialPurpose => $"special-purpose range, never listed: {Detail}",
        ListingVerdict.OperatorAllow => $"allowed by operator: {Detail}",
        ListingVerdict.Delisted => $"delisted by operator {Detail}",
        _ => Verdict.ToString(),
    };

    public static ListingDecision Not(ListingVerdict verdict, string? detail = null, double weight = 0, double threshold = 0, uint reviewAt = 0) =>
        new(verdict, default, weight, threshold, reviewAt, detail);

    private static string Code(uint code) => $"{code >> 24}.{(code >> 16) & 255}.{(code >> 8) & 255}.{code & 255}";

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
