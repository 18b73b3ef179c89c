using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns;

/// <summary>What the labels in front of a zone apex name.</summary>
internal enum DnsblNameKind
{
    /// <summary>Not a DNSBL name (garbage, too many labels, a leading zero): NXDOMAIN.</summary>
    None,

    /// <summary>A shorter prefix of some address's name, an empty non-terminal: NODATA (RFC 9156 resolvers ask these).</summary>
    Partial,

    /// <summary>A full address: 4 reversed decimal octets or 32 reversed hex nibbles (RFC 5782 §2.1, §2.4).</summary>
    Address,

    /// <summary>
    /// Four single-digit labels: both an IPv4 address and a 4-nibble IPv6 prefix. Listed: answered as the address;
    /// unlisted: NODATA, since it is an empty non-terminal of the IPv6 names.
    /// </summary>
    AddressOrPartial,
}

/// <summary>Reads the address out of the labels before a zone's apex, span-wise, with no allocation.</summary>
internal static class DnsblName
{
    /// <param name="name">The question name (from offset 12).</param>
    /// <param name="labelOffsets">Offsets of its labels within <paramref name="name"/>.</param>
    /// <param name="count">How many leading labels belong to the address part.</param>
    public static DnsblNameKind Classify(ReadOnlySpan<byte> name, ReadOnlySpan<byte> labelOffsets, int count, out IpSubject subject)
    {
        subject = default;
        if (count is < 1 or > 32)
        {
            return DnsblNameKind.None;
        }

        bool octets = count <= 4, nibbles = true;
        uint v4 = 0;
        ulong low = 0, high = 0;
        for (var i = 0; i < count; i++)
        {
            var label = name.Slice(labelOffsets[i] + 1, name[labelOffsets[i]]);
            if (octets && TryOctet(label, out var octet))
            {
                v4 |= (uint)octet << (8 * i);
            }
            else
            {
                octets = false;
            }

            if (nibbles && label.Length == 1 && TryNibble(label[0], out var nibble))
            {
                if (i < 16)
                {
                    low |= (ulong)nibble << (4 * i);
                }
                else
                {
                    high |= (ulong)nibble << (4 * (i - 16));
                }
            }
            else
            {
                nibbles = false;
            }

            if (!octets && !nibbles)
            {
                return DnsblNameKind.None;
            }
        }

        if (count == 4 && octets)
        {
            subject = IpSubject.FromIPv4(v4);
            return nibbles ? DnsblNameKind.AddressOrPartial : DnsblNameKind.Address;
        }

        if (count == 32)
        {
            subject = IpSubject.FromIPv6(new UInt128(high, low));
            return DnsblNameKind.Address;
        }

        return DnsblNameKind.Partial;
    }

    /// <summary>A decimal octet 0–255 without a leading zero.</summary>
    private static bool TryOctet(ReadOnlySpan<byte> label, out uint value)
    {
        value = 0;
        if (label.Length is 0 or > 3 || (label[0] == '0' && label.Length > 1))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (uint)(c - '0');
        }

        return value <= 255;
    }

    private static bool TryNibble(byte c, out uint value)
    {
        value = c switch
        {
            >= (byte)'0' and <= (byte)'9' => (uint)(c - '0'),
            >= (byte)'a' and <= (byte)'f' => (uint)(c - 'a' + 10),
            >= (byte)'A' and <= (byte)'F' => (uint)(c - 'A' + 10),
            _ => uint.MaxValue,
        };
        return value != uint.MaxValue;
    }
}
