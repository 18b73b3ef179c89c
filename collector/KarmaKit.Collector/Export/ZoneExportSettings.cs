using KarmaKit.Collector.Dns;

namespace KarmaKit.Collector.Export;

/// <summary>
/// What the zone files need from <c>Collector:Dns</c>, in presentation form (names without the trailing dot): the
/// same apex, SOA, NS, TTLs and TXT template the built-in server answers with, so the files answer the same.
/// </summary>
internal sealed class ZoneExportSettings
{
    private ZoneExportSettings(DnsOptions options)
    {
        Dns = DnsSettings.Create(options);
        Rbldnsd = RbldnsdTemplate.Create(options.TxtTemplate, options.LookupUrl);
        Ns = [.. DnsOptionsValidator.SplitNames(options.Ns).Select(n => Text(DnsName.TryEncode(n, out var w) ? w : [0]))];
        Hostmaster = Text(DnsName.TryEncodeMailbox(options.Hostmaster, out var r) ? r : [0]);
        var zones = new List<ExportZone> { new(DnsList.Block, Text(DnsName.TryEncode(options.Zone, out var b) ? b : [0])) };
        if (options.AllowZone.Length > 0)
        {
            zones.Add(new ExportZone(DnsList.Allow, Text(DnsName.TryEncode(options.AllowZone, out var a) ? a : [0])));
        }

        Zones = zones;
    }

    public IReadOnlyList<ExportZone> Zones { get; }

    /// <summary>The NS names; the first is the SOA MNAME.</summary>
    public IReadOnlyList<string> Ns { get; }

    /// <summary>The SOA RNAME (<c>hostmaster.karmakit.test</c>).</summary>
    public string Hostmaster { get; }

    /// <summary>The built-in server's compiled settings: TTLs, SOA timers, the TXT template.</summary>
    public DnsSettings Dns { get; }

    /// <summary>The TXT template as an rbldnsd base template; null when every entry must carry its literal text.</summary>
    public RbldnsdTemplate? Rbldnsd { get; }

    /// <summary>From validated options (<see cref="DnsOptionsValidator"/>).</summary>
    public static ZoneExportSettings Create(DnsOptions options) => new(options);

    /// <summary>
    /// A wire name in master-file presentation form without the trailing dot: a '.', '\\' or master-file special
    /// character inside a label (a mailbox's local part may hold them) escaped with '\\', anything not printable ASCII as \DDD.
    /// </summary>
    public static string Text(ReadOnlySpan<byte> wire)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; wire[i] != 0; i += wire[i] + 1)
        {
            if (text.Length > 0)
            {
                text.Append('.');
            }

            foreach (var c in wire.Slice(i + 1, wire[i]))
            {
                if (c is (byte)'.' or (byte)'\\' or (byte)'"' or (byte)';' or (byte)'(' or (byte)')' or (byte)'@' or (byte)'$')
                {
                    text.Append('\\').Append((char)c);
                }
                else if (c is <= 0x20 or >= 0x7F)
                {
                    text.Append('\\').Append(((int)c).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append((char)c);
                }
            }
        }

        return text.ToString();
    }
}

/// <summary>One exported zone: its list and its apex in presentation form, which also names its files.</summary>
internal sealed record ExportZone(DnsList List, string Apex);
