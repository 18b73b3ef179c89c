namespace KarmaKit.Collector.Dns;

/// <summary>Everything the responder needs from <see cref="DnsOptions"/>, compiled once into wire-ready form.</summary>
internal sealed class DnsSettings
{
    private DnsSettings(DnsZone[] zones, DnsOptions options)
    {
        Zones = zones;
        Ttl = Seconds(options.Ttl);
        NegativeTtl = Seconds(options.NegativeTtl);
        Refresh = Seconds(options.Refresh);
        Retry = Seconds(options.Retry);
        Expire = Seconds(options.Expire);
        Txt = TxtTemplate.Compile(options.TxtTemplate, options.LookupUrl);
        UdpPayloadSize = (ushort)options.UdpPayloadSize;
    }

    /// <summary>The served zones, longest apex first, so a zone nested in another wins.</summary>
    public DnsZone[] Zones { get; }

    public uint Ttl { get; }

    public uint NegativeTtl { get; }

    public uint Refresh { get; }

    public uint Retry { get; }

    public uint Expire { get; }

    public TxtTemplate Txt { get; }

    public ushort UdpPayloadSize { get; }

    /// <summary>Compiles validated options (see <see cref="DnsOptionsValidator"/>); throws on a name that does not encode.</summary>
    public static DnsSettings Create(DnsOptions options)
    {
        static byte[] Encode(string name, string key) =>
            DnsName.TryEncode(name, out var wire) ? wire : throw new ArgumentException($"Collector:Dns:{key} '{name}' is not a domain name");

        var ns = DnsOptionsValidator.SplitNames(options.Ns).Select(n => Encode(n, "Ns")).ToArray();
        var rname = DnsName.TryEncodeMailbox(options.Hostmaster, out var r) ? r : throw new ArgumentException($"Collector:Dns:Hostmaster '{options.Hostmaster}' is not a mailbox");
        var zones = new List<DnsZone> { new(DnsList.Block, Encode(options.Zone, "Zone"), ns[0], rname, ns) };
        if (options.AllowZone.Length > 0)
        {
            zones.Add(new DnsZone(DnsList.Allow, Encode(options.AllowZone, "AllowZone"), ns[0], rname, ns));
        }

        return new DnsSettings([.. zones.OrderByDescending(z => z.Labels.Length)], options);
    }

    private static uint Seconds(TimeSpan value) => (uint)Math.Clamp((long)value.TotalSeconds, 0, int.MaxValue);
}
