using System.Buffers.Binary;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>What a TCP frame is, as far as transfers go.</summary>
internal enum TransferRequestKind
{
    /// <summary>Any other message: the ordinary responder answers it.</summary>
    None,

    Axfr,

    Ixfr,

    /// <summary>An IXFR without the client's SOA in the authority section (RFC 1995 §3).</summary>
    Malformed,
}

/// <summary>
/// A zone transfer request (RFC 5936 §2.1, RFC 1995 §3): a standard query with one question of type AXFR or IXFR; an
/// IXFR carries the client's SOA in the authority section, whose serial is read. Bounds-checked like
/// <see cref="DnsMessageReader"/>; the question name must be plain labels.
/// </summary>
internal readonly struct TransferRequest
{
    private TransferRequest(ushort id, byte flags, int questionEnd, ushort qType, uint? clientSerial)
    {
        Id = id;
        Flags = flags;
        QuestionEnd = questionEnd;
        QType = qType;
        ClientSerial = clientSerial;
    }

    public ushort Id { get; }

    /// <summary>Header byte 2 as received.</summary>
    public byte Flags { get; }

    /// <summary>End of the question (header, name, type, class) in the query.</summary>
    public int QuestionEnd { get; }

    public ushort QType { get; }

    /// <summary>The serial of the client's copy (IXFR only).</summary>
    public uint? ClientSerial { get; }

    /// <summary>The question name in wire form, a slice of <paramref name="query"/>.</summary>
    public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> query) => query[DnsWire.HeaderLength..(QuestionEnd - 4)];

    public ushort QClass(ReadOnlySpan<byte> query) => BinaryPrimitives.ReadUInt16BigEndian(query[(QuestionEnd - 2)..]);

    /// <summary>Reads a TCP frame; anything but a well-formed question of type AXFR or IXFR is <see cref="TransferRequestKind.None"/>.</summary>
    public static TransferRequestKind Read(ReadOnlySpan<byte> query, out TransferRequest request)
    {
        request = default;
        if (query.Length < DnsWire.HeaderLength || (query[2] & DnsWire.FlagQr) != 0 || ((query[2] >> 3) & 0x0F) != DnsWire.OpcodeQuery
            || BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1)
        {
            return TransferRequestKind.None;
        }

        var pos = DnsWire.HeaderLength;
        while (pos < query.Length && query[pos] != 0)
        {
            if (query[pos] > DnsName.MaxLabelLength || pos + 1 + query[pos] - DnsWire.HeaderLength >= DnsName.MaxLength)
            {
                return TransferRequestKind.None;
            }

            pos += 1 + query[pos];
        }

        if (pos + 5 > query.Length)
        {
            return TransferRequestKind.None;
        }

        var qType = BinaryPrimitives.ReadUInt16BigEndian(query[(pos + 1)..]);
        var questionEnd = pos + 5;
        if (qType is not (DnsWire.TypeAxfr or DnsWire.TypeIxfr))
        {
            return TransferRequestKind.None;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(query);
        if (qType == DnsWire.TypeAxfr)
        {
            request = new TransferRequest(id, query[2], questionEnd, qType, null);
            return TransferRequestKind.Axfr;
        }

        request = new TransferRequest(id, query[2], questionEnd, qType, null);
        var an = BinaryPrimitives.ReadUInt16BigEndian(query[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(query[8..]);
        if (an != 0 || ns == 0 || !TryReadSoaSerial(query, questionEnd, out var serial))
        {
            return TransferRequestKind.Malformed;
        }

        request = new TransferRequest(id, query[2], questionEnd, qType, serial);
        return TransferRequestKind.Ixfr;
    }

    /// <summary>The serial of the SOA record at <paramref name="pos"/>: owner, fixed fields, then MNAME and RNAME skipped.</summary>
    private static bool TryReadSoaSerial(ReadOnlySpan<byte> query, int pos, out uint serial)
    {
        serial = 0;
        if (!TrySkipName(query, ref pos) || pos + 10 > query.Length
            || BinaryPrimitives.ReadUInt16BigEndian(query[pos..]) != DnsWire.TypeSoa)
        {
            return false;
        }

        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(query[(pos + 8)..]);
        pos += 10;
        var end = pos + rdLength;
        if (end > query.Length || !TrySkipName(query, ref pos) || !TrySkipName(query, ref pos) || pos + 20 != end)
        {
            return false;
        }

        serial = BinaryPrimitives.ReadUInt32BigEndian(query[pos..]);
        return true;
    }

    /// <summary>Skips a name that may end in a compression pointer (not followed).</summary>
    private static bool TrySkipName(ReadOnlySpan<byte> query, ref int pos)
    {
        for (var labels = 0; pos < query.Length && labels < DnsWire.MaxLabels; labels++)
        {
            var b = query[pos];
            if (b == 0)
            {
                pos++;
                return true;
            }

            if ((b & 0xC0) == 0xC0)
            {
                pos += 2;
                return pos <= query.Length;
            }

            if (b > DnsName.MaxLabelLength)
            {
                return false;
            }

            pos += b + 1;
        }

        return false;
    }
}
