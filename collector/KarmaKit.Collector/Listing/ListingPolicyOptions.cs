namespace KarmaKit.Collector.Listing;

/// <summary>
/// <c>Collector:Policy</c>: when a reported address is on the blocklist (and, from white reports, on the allowlist).
/// README "The listing policy" describes every key.
/// </summary>
internal sealed class ListingPolicyOptions
{
    /// <summary>Weighted distinct black reporters within <see cref="Window"/> needed to list.</summary>
    public double Threshold { get; set; } = 1;

    /// <summary>A black reporter counts while its last sighting of the subject is this recent.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A listing ends this long after the last black report of the subject.</summary>
    public TimeSpan DelistAfter { get; set; } = TimeSpan.FromHours(48);

    /// <summary>A white report keeps the subject off the blocklist (and on the allowlist) for this long.</summary>
    public TimeSpan WhiteWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// List 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 and 3fff::/20 like global addresses. Off in
    /// production; the tests and run-local.sh turn it on because their "remote" clients use these ranges.
    /// </summary>
    public bool ListDocumentationRanges { get; set; }

    /// <summary>IPv6 subjects are listed per prefix of this length (the DNS answers for any address in it).</summary>
    public int Ipv6Prefix { get; set; } = 64;

    /// <summary>Return code (127.0.0.x) per reason class, the first word of the reason; <c>generic</c> for the rest.</summary>
    public Dictionary<string, string> Codes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per-reporter weight and daily cap, <c>Collector:Policy:Reporters:NAME</c>.</summary>
    public Dictionary<string, ReporterPolicyOptions> Reporters { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The built-in codes, overridden key by key by <see cref="Codes"/>.</summary>
    public static IReadOnlyDictionary<string, string> DefaultCodes { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["generic"] = "127.0.0.2",
        ["virus"] = "127.0.0.3",
        ["spam"] = "127.0.0.4",
        ["auth"] = "127.0.0.5",
        ["dictionary"] = "127.0.0.6",
    };
}

/// <summary><c>Collector:Policy:Reporters:NAME</c>.</summary>
internal sealed class ReporterPolicyOptions
{
    /// <summary>What this reporter's report counts towards <see cref="ListingPolicyOptions.Threshold"/>.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>New subjects this reporter may count towards per UTC day; 0 is no cap.</summary>
    public int DailyCap { get; set; }
}
