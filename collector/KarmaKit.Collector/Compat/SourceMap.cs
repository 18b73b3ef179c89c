using System.Net;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Compat;

/// <summary>
/// <c>Collector:Compat:Sources</c> as a lookup from a connection's source address to a reporter name. Addresses are
/// compared as 128-bit values with IPv4 mapped into ::ffff:0:0/96 (<see cref="IpSubject"/>), so an IPv4 client on a
/// dual-stack <c>[::]</c> listener matches its IPv4 entry. The most specific network wins.
/// </summary>
internal sealed class SourceMap
{
    private static readonly char[] Separators = [' ', ',', ';', '\t'];
    private readonly Network[] _networks;

    private SourceMap(Network[] networks) => _networks = networks;

    public static SourceMap Empty { get; } = new([]);

    public int Count => _networks.Length;

    /// <summary>Every reporter name the map can give.</summary>
    public IEnumerable<string> Reporters => _networks.Select(n => n.Reporter).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>The reporter <paramref name="source"/> maps to, or null when it is not on the allowlist.</summary>
    public string? Find(IPAddress source)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!source.TryWriteBytes(bytes, out var written))
        {
            return null;
        }

        var value = IpSubject.FromBytes(bytes[..written]).Value;
        foreach (var network in _networks)
        {
            if ((value & network.Mask) == network.Prefix)
            {
                return network.Reporter;
            }
        }

        return null;
    }

    /// <summary>Parses the configuration; every problem is added to <paramref name="errors"/> with its key.</summary>
    public static SourceMap Parse(IReadOnlyDictionary<string, string> sources, List<string> errors)
    {
        var networks = new List<Network>();
        var seen = new Dictionary<(UInt128, int), string>();
        foreach (var (reporter, list) in sources)
        {
            var key = $"Collector:Compat:Sources:{reporter}";
            if (!ReporterNames.IsValid(reporter))
            {
                errors.Add($"{key} is not a valid reporter name (1 to {ProtocolLimits.MaxReporterNameLength} letters, digits, '.', '-', '_')");
                continue;
            }

            var items = (list ?? "").Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            if (items.Length == 0)
            {
                errors.Add($"{key} must list at least one address or CIDR network");
            }

            foreach (var item in items)
            {
                if (!TryParseNetwork(item, out var prefix, out var length))
                {
                    errors.Add($"{key} has '{item}', which is not an IP address or CIDR network (192.0.2.10, 192.0.2.0/24, 2001:db8::/64)");
                    continue;
                }

                if (seen.TryGetValue((prefix, length), out var other) && !string.Equals(other, reporter, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{key} has '{item}', which Collector:Compat:Sources:{other} has too");
                    continue;
                }

                if (seen.TryAdd((prefix, length), reporter))
                {
                    networks.Add(new Network(prefix, MaskOf(length), length, reporter));
                }
            }
        }

        return new SourceMap([.. networks.OrderByDescending(n => n.Length)]);
    }

    /// <summary>An address (a /32 or /128) or ADDRESS/LENGTH, as a prefix in the 128-bit mapped space.</summary>
    internal static bool TryParseNetwork(string text, out UInt128 prefix, out int length)
    {
        prefix = 0;
        length = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(address, out var ip) || address.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out var written);
        var subject = IpSubject.FromBytes(bytes[..written]);
        var bits = subject.IsIPv4 ? 32 : 128;
        var given = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out given) || given > bits))
        {
            return false;
        }

        length = subject.IsIPv4 ? 96 + given : given;
        prefix = subject.Value & MaskOf(length);
        return true;
    }

    private static UInt128 MaskOf(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    private readonly record struct Network(UInt128 Prefix, UInt128 Mask, int Length, string Reporter);
}
