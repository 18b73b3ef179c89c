using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Export;

/// <summary>
/// rbldnsd(8) datasets of one zone: an <c>ip4set</c> with the IPv4 entries and an <c>ip6trie</c> with the IPv6 ones
/// (rbldnsd takes one dataset type per file), each with the zone's <c>$TTL</c>, <c>$SOA</c> and <c>$NS</c>, so either
/// file may come first on rbldnsd's command line. Most IPv4 addresses sit under a default line per answer and get
/// their TXT from rbldnsd's base template (RbldnsdFiles.Ip4Set.cs); every other entry carries its A code and its TXT
/// as literal text, <c>ENTRY :127.0.0.x:=TEXT</c>: the leading <c>=</c> keeps the base template out and a text that
/// starts with <c>#</c>, <c>=</c> or a space as it is, and <c>$</c> is doubled, so rbldnsd answers the bytes the
/// built-in server does.
/// The test entry 127.0.0.2 is in both files (the IPv6 one as ::ffff:7f00:2); 127.0.0.1 and ::ffff:7f00:1 are excluded.
/// </summary>
internal static partial class RbldnsdFiles
{
    /// <summary>The longest TXT rbldnsd answers (its txtsubst() stops at 254 bytes).</summary>
    public const int MaxTxt = 254;

    /// <summary>The longest value rbldnsd keeps from a line (parse_a_txt() cuts the rest).</summary>
    private const int MaxValue = 255;

    private static readonly byte[] MappedTestEntry = "::ffff:7f00:2"u8.ToArray();
    private static readonly byte[] MappedTestExclusion = "!::ffff:7f00:1\n"u8.ToArray();
    private static readonly byte[] TestExclusion = "!127.0.0.1\n"u8.ToArray();

    /// <summary>Writes the ip6trie; returns how many TXT rbldnsd cannot give back exactly.</summary>
    public static int WriteIp6Trie(ZoneSnapshot zone, ExportZone export, ZoneExportSettings settings, ZoneTextWriter w)
    {
        WriteHeader(zone, export, settings, "ip6trie", w);
        w.Write(MappedTestExclusion);
        var inexact = 0;
        foreach (var entry in zone.Entries)
        {
            var line = w.GetSpan();
            int n;
            if (entry.Network.IsIPv4)
            {
                if (entry.Network != Rfc5782TestEntries.Listed || !entry.IsSingle)
                {
                    continue; // IPv4 lives in the ip4set; only the test entry also has its IPv6 name (RFC 5782 §5)
                }

                MappedTestEntry.CopyTo(line);
                n = MappedTestEntry.Length;
            }
            else
            {
                entry.Network.TryFormat(line, out n);
                if (!entry.IsSingle)
                {
                    n += Cidr(line[n..], entry.PrefixLength);
                }
            }

            inexact += Value(line, ref n, entry, entry.Network, settings.Dns.Txt);
            w.Advance(n);
        }

        return inexact;
    }

    /// <summary>
    /// Whether rbldnsd answers <paramref name="text"/> byte for byte: it cuts a TXT at 254 bytes and a stored value at
    /// 255 (the '=' and doubled '$' count), strips white space at the end of a line, and a line ends at a line break.
    /// </summary>
    public static bool IsExact(ReadOnlySpan<byte> text)
    {
        var value = 1 + text.Length + text.Count((byte)'$');
        return text.Length <= MaxTxt && value <= MaxValue
            && (text.Length == 0 || text[^1] is not ((byte)' ' or (byte)'\t'))
            && text.IndexOfAny((byte)'\n', (byte)'\r', (byte)0) < 0;
    }

    private static void WriteHeader(ZoneSnapshot zone, ExportZone export, ZoneExportSettings s, string type, ZoneTextWriter w)
    {
        var ns = s.Ns;
        w.Write($"# {export.Apex} ({(zone.List == DnsList.Block ? "blocklist" : "allowlist")}): rbldnsd {type} dataset written by karmakit-collector; serial {zone.Serial}\n");
        w.Write($"$TTL {s.Dns.Ttl}\n");
        w.Write($"$SOA {s.Dns.Ttl} {ns[0]} {s.Hostmaster} {zone.Serial} {s.Dns.Refresh} {s.Dns.Retry} {s.Dns.Expire} {s.Dns.NegativeTtl}\n");
        w.Write($"$NS {s.Dns.Ttl} {string.Join(' ', ns)}\n");
    }

    private static int Cidr(Span<byte> destination, int prefix)
    {
        destination[0] = (byte)'/';
        prefix.TryFormat(destination[1..], out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
        return n + 1;
    }

    /// <summary>Appends <c> :CODE:=TEXT</c> and the line break; 1 when the text is not exact for rbldnsd.</summary>
    private static int Value(Span<byte> line, ref int n, in ZoneEntry entry, IpSubject address, TxtTemplate txt)
    {
        line[n++] = (byte)' ';
        line[n++] = (byte)':';
        IpSubject.FromIPv4(entry.Answer.Code).TryFormat(line[n..], out var code);
        n += code;
        line[n++] = (byte)':';
        line[n++] = (byte)'=';
        Span<byte> text = stackalloc byte[TxtTemplate.MaxLength];
        text = text[..txt.Write(text, entry.Answer.Reason, address)];
        var exact = IsExact(text);
        foreach (var c in text)
        {
            if (c == (byte)'$')
            {
                line[n++] = c;
            }

            line[n++] = c is (byte)'\n' or (byte)'\r' or 0 ? (byte)' ' : c;
        }

        line[n++] = (byte)'\n';
        return exact ? 0 : 1;
    }
}
