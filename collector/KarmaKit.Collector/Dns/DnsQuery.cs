namespace KarmaKit.Collector.Dns;

/// <summary>What <see cref="DnsMessageReader"/> decides about a packet before any zone logic.</summary>
internal enum DnsParseOutcome
{
    /// <summary>A well-formed standard query with one question.</summary>
    Query,

    /// <summary>Not worth an answer: shorter than a header, or a response (QR set).</summary>
    Drop,

    /// <summary>Malformed: answer FORMERR.</summary>
    FormErr,

    /// <summary>An opcode other than QUERY: answer NOTIMP.</summary>
    NotImp,
}

/// <summary>
/// The parsed fields of a query; the question name stays in the packet at offset 12 (its label offsets, relative to
/// 12, are in the span the caller passed to the reader), so nothing is copied.
/// </summary>
internal struct DnsQuery
{
    public ushort Id;

    /// <summary>Header byte 2 as received (QR, opcode, AA, TC, RD).</summary>
    public byte Flags;

    /// <summary>Whether the question parsed, so an error answer can echo it.</summary>
    public bool HasQuestion;

    /// <summary>Bytes of the question name including the root byte.</summary>
    public int NameLength;

    public int LabelCount;

    public ushort QType;

    public ushort QClass;

    public bool HasEdns;

    /// <summary>The client's EDNS UDP payload size (its OPT CLASS).</summary>
    public ushort EdnsUdpSize;

    public byte EdnsVersion;

    public readonly byte Opcode => (byte)((Flags >> 3) & 0x0F);

    public readonly bool RecursionDesired => (Flags & DnsWire.FlagRd) != 0;

    /// <summary>End of the question section: header, name, type and class.</summary>
    public readonly int QuestionEnd => DnsWire.HeaderLength + NameLength + 4;
}
