using System.Net;
using System.Net.Sockets;

namespace KarmaKit.Collector.Listing;

/// <summary>Checks <c>Collector:Policy</c>, every error naming its key.</summary>
internal static class ListingPolicyOptionsValidator
{
    public static void Collect(ListingPolicyOptions o, Action<bool, string, string> check)
    {
        check(double.IsFinite(o.Threshold) && o.Threshold is > 0 and <= 1_000_000, "Policy:Threshold", $"must be more than 0 and at most 1000000, got {o.Threshold}");
        check(InRange(o.Window, TimeSpan.FromMinutes(1), TimeSpan.FromDays(366)), "Policy:Window", $"must be between 00:01:00 and 366.00:00:00, got {o.Window}");
        check(InRange(o.DelistAfter, TimeSpan.FromMinutes(1), TimeSpan.FromDays(366)), "Policy:DelistAfter", $"must be between 00:01:00 and 366.00:00:00, got {o.DelistAfter}");
        check(InRange(o.WhiteWindow, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3660)), "Policy:WhiteWindow", $"must be between 00:01:00 and 3660.00:00:00, got {o.WhiteWindow}");
        check(o.Ipv6Prefix is >= 16 and <= 128, "Policy:Ipv6Prefix", $"must be between 16 and 128, got {o.Ipv6Prefix}");
        foreach (var (name, code) in o.Codes)
        {
            check(name.Length > 0 && !name.Any(char.IsWhiteSpace), $"Policy:Codes:{name}", "must be one word, the reason's first");
            check(TryParseCode(code, out _), $"Policy:Codes:{name}", $"must be an address in 127.0.0.0/8 other than 127.0.0.0 and 127.0.0.1, got '{code}'");
        }

        foreach (var (name, reporter) in o.Reporters)
        {
            check(double.IsFinite(reporter.Weight) && reporter.Weight is >= 0 and <= 1_000_000, $"Policy:Reporters:{name}:Weight", $"must be between 0 and 1000000, got {reporter.Weight}");
            check(reporter.DailyCap is >= 0 and <= 100_000_000, $"Policy:Reporters:{name}:DailyCap", $"must be 0 (no cap) or up to 100000000, got {reporter.DailyCap}");
        }
    }

    /// <summary>Parses a return code: an IPv4 address in 127.0.0.0/8, not 127.0.0.0 or 127.0.0.1 (RFC 5782 §2.1).</summary>
    public static bool TryParseCode(string? text, out uint code)
    {
        code = 0;
        if (text is null || !IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || text.Count(c => c == '.') != 3)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        code = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        return bytes[0] == 127 && code > 0x7F00_0001;
    }

    private static bool InRange(TimeSpan value, TimeSpan min, TimeSpan max) => value >= min && value <= max;
}
