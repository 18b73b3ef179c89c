using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using KarmaKit.Collector.Compat;

namespace KarmaKit.Collector.Configuration;

/// <summary>The checks of <c>Collector:Compat</c>, added to the collector's one list of errors.</summary>
internal static class CompatOptionsValidator
{
    public static void Collect(CompatOptions c, List<string> errors)
    {
        var enabled = c.Tcp.Length > 0;
        if (enabled && !TryParseEndPoint(c.Tcp, out _))
        {
            errors.Add($"Collector:Compat:Tcp must be empty (off) or IP:PORT with a literal address ([::]:444 for IPv6), got '{c.Tcp}'");
        }

        var sources = SourceMap.Parse(c.Sources, errors);
        if (enabled && sources.Count == 0)
        {
            errors.Add("Collector:Compat:Sources must map at least one reporter name to source addresses when Collector:Compat:Tcp is set (Collector:Compat:Sources:mx3=192.0.2.10)");
        }

        if (c.MaxConnections is < 1 or > 100_000)
        {
            errors.Add($"Collector:Compat:MaxConnections must be between 1 and 100000, got {c.MaxConnections}");
        }

        if (c.MaxLinesPerConnection is < 1 or > 1000)
        {
            errors.Add($"Collector:Compat:MaxLinesPerConnection must be between 1 and 1000, got {c.MaxLinesPerConnection}");
        }

        if (c.Timeout < TimeSpan.FromMilliseconds(100) || c.Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Collector:Compat:Timeout must be between 00:00:00.100 and 00:05:00, got {c.Timeout}");
        }

        if (c.Backlog is < 1 or > 65535)
        {
            errors.Add($"Collector:Compat:Backlog must be between 1 and 65535, got {c.Backlog}");
        }
    }

    /// <summary><c>IPv4:PORT</c> or <c>[IPv6]:PORT</c>, the port required (0 picks a free one).</summary>
    public static bool TryParseEndPoint(string text, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false; // IPv6 without brackets: the port is ambiguous
        }

        if (!IPAddress.TryParse(host, out var address) || host.Contains('%', StringComparison.Ordinal)
            || !ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
