using System.Net;

namespace KarmaKit.Collector.Dns;

/// <summary>Checks <c>Collector:Dns</c>; called by the collector's validator so every bad key lands in one message.</summary>
internal static class DnsOptionsValidator
{
    private static readonly TimeSpan MaxTtl = TimeSpan.FromSeconds(int.MaxValue);

    /// <param name="check">Records an error for a key relative to <c>Collector:</c> when the condition is false.</param>
    public static void Collect(DnsOptions o, Action<bool, string, string> check)
    {
        check(o.Listen.Length == 0 || TryParseListen(o.Listen, out _), "Dns:Listen", $"must be IP:PORT or [IPv6]:PORT with a literal address, or empty to disable, got '{o.Listen}'");
        check(DnsName.TryEncode(o.Zone, out var zone) && zone.Length > 1, "Dns:Zone", $"must be a domain name below the root, got '{o.Zone}'");
        check(o.AllowZone.Length == 0 || (DnsName.TryEncode(o.AllowZone, out var allow) && allow.Length > 1), "Dns:AllowZone", $"must be a domain name below the root or empty, got '{o.AllowZone}'");
        check(!string.Equals(o.Zone.TrimEnd('.'), o.AllowZone.TrimEnd('.'), StringComparison.OrdinalIgnoreCase), "Dns:AllowZone", "must differ from Collector:Dns:Zone");
        var ns = SplitNames(o.Ns);
        check(ns.Length > 0 && ns.All(n => DnsName.TryEncode(n, out _)), "Dns:Ns", $"must be one or more domain names separated by commas or spaces, got '{o.Ns}'");
        check(DnsName.TryEncodeMailbox(o.Hostmaster, out _), "Dns:Hostmaster", $"must be a mail address or a domain name, got '{o.Hostmaster}'");
        CheckSeconds(check, "Ttl", o.Ttl, TimeSpan.Zero);
        CheckSeconds(check, "NegativeTtl", o.NegativeTtl, TimeSpan.Zero);
        CheckSeconds(check, "Refresh", o.Refresh, TimeSpan.FromSeconds(1));
        CheckSeconds(check, "Retry", o.Retry, TimeSpan.FromSeconds(1));
        CheckSeconds(check, "Expire", o.Expire, TimeSpan.FromSeconds(1));
        check(o.TxtTemplate.Length is > 0 and <= 1000, "Dns:TxtTemplate", "must be 1 to 1000 characters");
        check(o.LookupUrl.Length <= 1000, "Dns:LookupUrl", "must be at most 1000 characters");
        check(o.UdpPayloadSize is >= 512 and <= 4096, "Dns:UdpPayloadSize", $"must be between 512 and 4096, got {o.UdpPayloadSize}");
        check(o.UdpReceivers is >= 0 and <= 256, "Dns:UdpReceivers", $"must be between 0 (one per processor) and 256, got {o.UdpReceivers}");
        check(o.TcpMaxConnections is >= 1 and <= 100_000, "Dns:TcpMaxConnections", $"must be between 1 and 100000, got {o.TcpMaxConnections}");
        check(o.TcpIdleTimeout >= TimeSpan.FromMilliseconds(100) && o.TcpIdleTimeout <= TimeSpan.FromHours(1), "Dns:TcpIdleTimeout", $"must be between 00:00:00.100 and 01:00:00, got {o.TcpIdleTimeout}");
        Transfer.TransferOptionsValidator.Collect(o, check);
    }

    /// <summary>The names of <c>Collector:Dns:Ns</c>.</summary>
    public static string[] SplitNames(string names) => names.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Parses <c>IP:PORT</c> or <c>[IPv6]:PORT</c>; the port must be written.</summary>
    public static bool TryParseListen(string text, out IPEndPoint endpoint)
    {
        var colon = text.LastIndexOf(':');
        var hasPort = colon > 0 && (text[0] != '[' || text[colon - 1] == ']') && (text[0] == '[' || text.IndexOf(':') == colon);
        if (!hasPort || !IPEndPoint.TryParse(text, out var parsed))
        {
            endpoint = null!;
            return false;
        }

        endpoint = parsed;
        return true;
    }

    private static void CheckSeconds(Action<bool, string, string> check, string key, TimeSpan value, TimeSpan min) =>
        check(value >= min && value <= MaxTtl && value.Ticks % TimeSpan.TicksPerSecond == 0, $"Dns:{key}",
            $"must be whole seconds between {min} and {MaxTtl}, got {value}");
}
