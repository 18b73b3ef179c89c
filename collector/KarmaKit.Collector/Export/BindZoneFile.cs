using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Export;

/// <summary>
/// One zone as an RFC 1035 §5 master file, for NSD, Knot or BIND: <c>$ORIGIN</c>, <c>$TTL</c>, the SOA and NS at
/// the apex, then an A and a TXT for each owner name of each entry (<see cref="ZoneOwnerNames"/>: reversed octets,
/// 32 reversed nibbles, a wildcard for an IPv6 prefix). TXT is one quoted character-string with <c>"</c> and
/// <c>\</c> escaped and every byte outside printable ASCII as <c>\DDD</c>, so any server reads back the same bytes.
/// </summary>
internal static class BindZoneFile
{
    private static readonly byte[] Hex = "0123456789abcdef"u8.ToArray();

    public static void Write(ZoneSnapshot zone, ExportZone export, ZoneExportSettings s, ZoneTextWriter w)
    {
        w.Write($"; {export.Apex} ({(zone.List == DnsList.Block ? "blocklist" : "allowlist")}): master file written by karmakit-collector; serial {zone.Serial}\n");
        w.Write($"$ORIGIN {export.Apex}.\n$TTL {s.Dns.Ttl}\n");
        w.Write($"@ IN SOA {s.Ns[0]}. {s.Hostmaster}. {zone.Serial} {s.Dns.Refresh} {s.Dns.Retry} {s.Dns.Expire} {s.Dns.NegativeTtl}\n");
        foreach (var ns in s.Ns)
        {
            w.Write($"@ IN NS {ns}.\n");
        }

        Span<byte> text = stackalloc byte[TxtTemplate.MaxLength];
        Span<byte> rdata = stackalloc byte[2 + (4 * TxtTemplate.MaxLength)];
        List<string>? names = null;
        foreach (var entry in zone.Entries)
        {
            var length = s.Dns.Txt.Write(text, entry.Answer.Reason, entry.Network);
            var quoted = Quote(text[..length], rdata);
            if (TryWriteOwner(entry.Network, entry.PrefixLength, w, entry.Answer.Code, rdata[..quoted]))
            {
                if (entry.Network == Rfc5782TestEntries.Listed && entry.IsSingle)
                {
                    TryWriteOwner(IpSubject.FromIPv6(entry.Network.Value), 128, w, entry.Answer.Code, rdata[..quoted], mapped: true);
                }

                continue;
            }

            // A prefix that does not end on a label boundary: several wildcards (rare; strings are fine here).
            (names ??= []).Clear();
            ZoneOwnerNames.Append(entry, names);
            foreach (var name in names)
            {
                var owner = System.Text.Encoding.ASCII.GetBytes(name);
                WriteRecords(w, owner, entry.Answer.Code, rdata[..quoted]);
            }
        }
    }

    /// <summary>
    /// <paramref name="text"/> as a quoted character-string into <paramref name="destination"/>; returns its length.
    /// </summary>
    public static int Quote(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var n = 0;
        destination[n++] = (byte)'"';
        foreach (var c in text)
        {
            if (c is (byte)'"' or (byte)'\\')
            {
                destination[n++] = (byte)'\\';
                destination[n++] = c;
            }
            else if (c is < 0x20 or >= 0x7F)
            {
                destination[n++] = (byte)'\\';
                destination[n++] = (byte)('0' + (c / 100));
                destination[n++] = (byte)('0' + (c / 10 % 10));
                destination[n++] = (byte)('0' + (c % 10));
            }
            else
            {
                destination[n++] = c;
            }
        }

        destination[n++] = (byte)'"';
        return n;
    }

    /// <summary>The owner name for an IPv4 /32 or an IPv6 prefix on a nibble boundary; false for other prefixes.</summary>
    private static bool TryWriteOwner(IpSubject network, int prefix, ZoneTextWriter w, uint code, ReadOnlySpan<byte> txt, bool mapped = false)
    {
        Span<byte> owner = stackalloc byte[2 + 64];
        var n = 0;
        if (network.IsIPv4 && !mapped)
        {
            if (prefix != 32)
            {
                return false;
            }

            var address = network.IPv4Value;
            for (var shift = 0; shift <= 24; shift += 8)
            {
                ((address >> shift) & 0xFF).TryFormat(owner[n..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
                n += digits;
                if (shift < 24)
                {
                    owner[n++] = (byte)'.';
                }
            }
        }
        else
        {
            if (prefix % 4 != 0 || prefix < 4)
            {
                return false;
            }

            var nibbles = prefix / 4;
            if (nibbles < 32)
            {
                owner[n++] = (byte)'*';
                owner[n++] = (byte)'.';
            }

            for (var i = nibbles - 1; i >= 0; i--)
            {
                owner[n++] = Hex[(int)(network.Value >> (124 - (4 * i))) & 0xF];
                if (i > 0)
                {
                    owner[n++] = (byte)'.';
                }
            }
        }

        WriteRecords(w, owner[..n], code, txt);
        return true;
    }

    private static void WriteRecords(ZoneTextWriter w, ReadOnlySpan<byte> owner, uint code, ReadOnlySpan<byte> txt)
    {
        var line = w.GetSpan();
        owner.CopyTo(line);
        var n = owner.Length;
        " IN A "u8.CopyTo(line[n..]);
        n += 6;
        IpSubject.FromIPv4(code).TryFormat(line[n..], out var a);
        n += a;
        line[n++] = (byte)'\n';
        owner.CopyTo(line[n..]);
        n += owner.Length;
        " IN TXT "u8.CopyTo(line[n..]);
        n += 8;
        txt.CopyTo(line[n..]);
        n += txt.Length;
        line[n++] = (byte)'\n';
        w.Advance(n);
    }
}
