namespace KarmaKit.Collector.Dns;

/// <summary>DNS wire constants (RFC 1035, 2308, 6891) used by the reader, writer and responder.</summary>
internal static class DnsWire
{
    public const int HeaderLength = 12;

    /// <summary>Largest UDP answer without EDNS (RFC 1035 §4.2.1).</summary>
    public const int ClassicUdpSize = 512;

    /// <summary>Largest message over TCP (the 2-byte length prefix).</summary>
    public const int MaxMessageSize = 65535;

    /// <summary>Most labels a 255-byte name can hold.</summary>
    public const int MaxLabels = 128;

    public const ushort TypeA = 1;
    public const ushort TypeNs = 2;
    public const ushort TypeSoa = 6;
    public const ushort TypeTxt = 16;
    public const ushort TypeOpt = 41;
    public const ushort TypeIxfr = 251;
    public const ushort TypeAxfr = 252;
    public const ushort TypeMailB = 253;
    public const ushort TypeMailA = 254;
    public const ushort TypeAny = 255;

    public const ushort ClassIn = 1;
    public const ushort ClassAny = 255;

    public const byte FlagQr = 0x80;
    public const byte FlagAa = 0x04;
    public const byte FlagTc = 0x02;
    public const byte FlagRd = 0x01;

    public const byte OpcodeQuery = 0;
}

/// <summary>Response codes; <see cref="BadVers"/> is the 12-bit extended code carried partly in the OPT record.</summary>
internal enum DnsRcode
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    BadVers = 16,
}
