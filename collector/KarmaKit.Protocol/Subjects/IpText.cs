namespace KarmaKit.Protocol.Subjects;

/// <summary>
/// Strict, allocation-free IP text parsing and canonical formatting.
/// IPv4: exactly four decimal octets, no leading zeros (so "010.1.1.1" is never read as octal),
/// no short forms. IPv6: RFC 4291 text (1–4 hex digits a group, one "::", an optional dotted IPv4
/// tail), no zone index, no brackets. Output is RFC 5952 text, or dotted quad for IPv4 and
/// IPv4-mapped addresses.
/// </summary>
internal static class IpText
{
    /// <summary>The longest text worth trying: a full IPv6 address with a dotted IPv4 tail is 45.</summary>
    public const int MaxInputLength = 45;

    public static bool TryParse(ReadOnlySpan<byte> text, out IpSubject subject)
    {
        subject = default;
        if (text.IsEmpty || text.Length > MaxInputLength)
        {
            return false;
        }

        if (text.IndexOf((byte)':') < 0)
        {
            if (!TryParseIPv4(text, out var v4))
            {
                return false;
            }

            subject = IpSubject.FromIPv4(v4);
            return true;
        }

        if (!TryParseIPv6(text, out var v6))
        {
            return false;
        }

        subject = IpSubject.FromIPv6(v6);
        return true;
    }

    internal static bool TryParseIPv4(ReadOnlySpan<byte> text, out uint value)
    {
        value = 0;
        var octets = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            uint octet = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                octet = (octet * 10) + (uint)(text[i] - '0');
                i++;
                if (i - start > 3)
                {
                    return false;
                }
            }

            var digits = i - start;
            if (digits == 0 || octet > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            value = (value << 8) | octet;
            octets++;
            if (i == text.Length)
            {
                return octets == 4;
            }

            if (text[i] != '.' || octets == 4)
            {
                return false;
            }

            i++;
        }
    }

    private static bool TryParseIPv6(ReadOnlySpan<byte> text, out UInt128 value)
    {
        value = 0;
        Span<ushort> groups = stackalloc ushort[8];
        var count = 0;
        var gapAt = -1;
        var i = 0;

        if (text.StartsWith("::"u8))
        {
            gapAt = 0;
            i = 2;
            if (i == text.Length)
            {
                return true; // "::"
            }
        }
        else if (text[0] == ':')
        {
            return false;
        }

        while (true)
        {
            // A dotted IPv4 tail takes the last two groups.
            var rest = text[i..];
            var colon = rest.IndexOf((byte)':');
            var field = colon < 0 ? rest : rest[..colon];
            if (colon < 0 && field.IndexOf((byte)'.') >= 0)
            {
                if (count > 6 || !TryParseIPv4(field, out var tail))
                {
                    return false;
                }

                groups[count++] = (ushort)(tail >> 16);
                groups[count++] = (ushort)tail;
                break;
            }

            if (field.IsEmpty || field.Length > 4 || count == 8)
            {
                return false;
            }

            uint group = 0;
            foreach (var c in field)
            {
                var digit = HexValue(c);
                if (digit < 0)
                {
                    return false;
                }

                group = (group << 4) | (uint)digit;
            }

            groups[count++] = (ushort)group;
            if (colon < 0)
            {
                break;
            }

            i += colon + 1;
            if (i == text.Length)
            {
                return false; // trailing single ':'
            }

            if (text[i] == ':')
            {
                if (gapAt >= 0)
                {
                    return false; // a second "::"
                }

                gapAt = count;
                i++;
                if (i == text.Length)
                {
                    break; // trailing "::"
                }
            }
        }

        if (gapAt < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        // Expand: groups before the gap stay, groups after it move to the end.
        var after = count - (gapAt < 0 ? count : gapAt);
        UInt128 result = 0;
        for (var g = 0; g < 8; g++)
        {
            ushort v;
            if (gapAt < 0 || g < gapAt)
            {
                v = groups[g];
            }
            else if (g >= 8 - after)
            {
                v = groups[gapAt + (g - (8 - after))];
            }
            else
            {
                v = 0;
            }

            result = (result << 16) | v;
        }

        value = result;
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    public static bool TryFormat(IpSubject subject, Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < IpSubject.MaxTextLength)
        {
            // Format into a scratch buffer first so a short destination is never half-written.
            Span<byte> scratch = stackalloc byte[IpSubject.MaxTextLength];
            var ok = TryFormat(subject, scratch, out var n);
            if (!ok || n > destination.Length)
            {
                return false;
            }

            scratch[..n].CopyTo(destination);
            written = n;
            return true;
        }

        written = subject.IsIPv4 ? FormatIPv4(subject.IPv4Value, destination) : FormatIPv6(subject.Value, destination);
        return true;
    }

    private static int FormatIPv4(uint value, Span<byte> destination)
    {
        var pos = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            var octet = (value >> shift) & 0xFF;
            if (octet >= 100)
            {
                destination[pos++] = (byte)('0' + (octet / 100));
            }

            if (octet >= 10)
            {
                destination[pos++] = (byte)('0' + (octet / 10 % 10));
            }

            destination[pos++] = (byte)('0' + (octet % 10));
            if (shift > 0)
            {
                destination[pos++] = (byte)'.';
            }
        }

        return pos;
    }

    private static int FormatIPv6(UInt128 value, Span<byte> destination)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (var g = 7; g >= 0; g--)
        {
            groups[g] = (ushort)value;
            value >>= 16;
        }

        // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
        int bestStart = -1, bestLength = 1;
        for (var g = 0; g < 8;)
        {
            if (groups[g] != 0)
            {
                g++;
                continue;
            }

            var start = g;
            while (g < 8 && groups[g] == 0)
            {
                g++;
            }

            if (g - start > bestLength)
            {
                bestStart = start;
                bestLength = g - start;
            }
        }

        var pos = 0;
        for (var g = 0; g < 8; g++)
        {
            if (g == bestStart)
            {
                destination[pos++] = (byte)':';
                destination[pos++] = (byte)':';
                g += bestLength - 1;
                continue;
            }

            if (g > 0 && g != bestStart + bestLength)
            {
                destination[pos++] = (byte)':';
            }

            pos += FormatHex(groups[g], destination[pos..]);
        }

        return pos;
    }

    private static int FormatHex(ushort group, Span<byte> destination)
    {
        var pos = 0;
        var started = false;
        for (var shift = 12; shift >= 0; shift -= 4)
        {
            var nibble = (group >> shift) & 0xF;
            if (nibble == 0 && !started && shift > 0)
            {
                continue;
            }

            started = true;
            destination[pos++] = (byte)"0123456789abcdef"[nibble];
        }

        return pos;
    }
}
