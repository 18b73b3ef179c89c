using System.Text;
using KarmaKit.Collector.Dns;

namespace KarmaKit.Collector.Zones;

/// <summary>
/// The owner names of a <see cref="ZoneEntry"/> relative to the zone apex, in RFC 5782 form: IPv4 as reversed octets,
/// IPv6 as 32 reversed nibbles. A single address is one exact name; a network is a wildcard over its leading labels
/// (<c>*.0.0.0.0.8.b.d.0.1.0.0.2</c> for a /64), expanded into 2, 4 or 8 wildcards when the prefix does not end on a
/// label boundary. The RFC 5782 test entry 127.0.0.2 also gets its IPv6 name (::FFFF:7F00:2).
/// </summary>
internal static class ZoneOwnerNames
{
    /// <summary>Appends the owner names of <paramref name="entry"/> to <paramref name="names"/>; no trailing dot, no apex.</summary>
    public static void Append(in ZoneEntry entry, List<string> names)
    {
        if (entry.Network.IsIPv4)
        {
            AppendIPv4(entry.Network.IPv4Value, entry.PrefixLength, names);
            if (entry.Network == Rfc5782TestEntries.Listed && entry.IsSingle)
            {
                AppendIPv6(entry.Network.Value, 128, names);
            }
        }
        else
        {
            AppendIPv6(entry.Network.Value, entry.PrefixLength, names);
        }
    }

    /// <summary>The owner names of one entry (allocates; for tests and small zones).</summary>
    public static List<string> Of(in ZoneEntry entry)
    {
        var names = new List<string>(1);
        Append(entry, names);
        return names;
    }

    private static void AppendIPv4(uint address, int prefix, List<string> names)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefix, 8, nameof(prefix)); // a wildcard over the whole zone is never an entry
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix, 32, nameof(prefix));
        var whole = prefix / 8;
        var spare = prefix % 8;
        var variants = spare == 0 ? 1 : 1 << (8 - spare);
        for (var v = 0; v < variants; v++)
        {
            var builder = new StringBuilder(16);
            var labels = whole + (spare == 0 ? 0 : 1);
            if (labels < 4)
            {
                builder.Append("*.");
            }

            for (var i = labels - 1; i >= 0; i--)
            {
                var octet = (int)(address >> (24 - (8 * i))) & 0xFF;
                if (i == whole)
                {
                    octet = (octet & (0xFF << (8 - spare)) & 0xFF) | v;
                }

                builder.Append(octet);
                if (i > 0)
                {
                    builder.Append('.');
                }
            }

            names.Add(builder.ToString());
        }
    }

    private static void AppendIPv6(UInt128 address, int prefix, List<string> names)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefix, 4, nameof(prefix));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix, 128, nameof(prefix));
        var whole = prefix / 4;
        var spare = prefix % 4;
        var variants = spare == 0 ? 1 : 1 << (4 - spare);
        var labels = whole + (spare == 0 ? 0 : 1);
        for (var v = 0; v < variants; v++)
        {
            var builder = new StringBuilder(64);
            if (labels < 32)
            {
                builder.Append("*.");
            }

            for (var i = labels - 1; i >= 0; i--)
            {
                var nibble = (int)(address >> (124 - (4 * i))) & 0xF;
                if (i == whole)
                {
                    nibble = (nibble & (0xF << (4 - spare)) & 0xF) | v;
                }

                builder.Append("0123456789abcdef"[nibble]);
                if (i > 0)
                {
                    builder.Append('.');
                }
            }

            names.Add(builder.ToString());
        }
    }
}
