using System.Buffers.Binary;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// Parses a query: the header, exactly one question, an empty answer and authority section (but for IXFR's SOA), and an additional section
/// whose one OPT record (EDNS0, RFC 6891) is read and whose other records are skipped. Every read is bounds-checked and
/// every count is bounded by the packet's length, so no input throws or loops. The question name must be plain labels
/// (no compression pointer: a real query never compresses its only name, so a pointer there is refused as FORMERR
/// instead of being followed); names of skipped records may end in a pointer, which is not followed.
/// </summary>
internal static class DnsMessageReader
{
    /// <param name="labelOffsets">Receives the question's label offsets relative to the name (offset 12); 128 entries.</param>
    public static DnsParseOutcome Parse(ReadOnlySpan<byte> packet, Span<byte> labelOffsets, out DnsQuery query)
    {
        query = default;
        if (packet.Length < DnsWire.HeaderLength || (packet[2] & DnsWire.FlagQr) != 0)
        {
            return DnsParseOutcome.Drop;
        }

        query.Id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        query.Flags = packet[2];
        if (query.Opcode != DnsWire.OpcodeQuery)
        {
            return DnsParseOutcome.NotImp;
        }

        var qd = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        if (qd != 1 || an != 0 || !TryReadQuestion(packet, labelOffsets, ref query))
        {
            return DnsParseOutcome.FormErr;
        }

        // Only an IXFR has an authority section (the client's SOA, RFC 1995 §3); it is skipped, the responder refuses IXFR.
        if (ns != 0 && query.QType != DnsWire.TypeIxfr)
        {
            return DnsParseOutcome.FormErr;
        }

        var pos = query.QuestionEnd;
        for (var i = 0; i < ns; i++)
        {
            if (!TrySkipName(packet, ref pos) || pos + 10 > packet.Length)
            {
                return DnsParseOutcome.FormErr;
            }

            pos += 10 + BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 8)..]);
            if (pos > packet.Length)
            {
                return DnsParseOutcome.FormErr;
            }
        }

        for (var i = 0; i < ar; i++)
        {
            if (!TryReadAdditional(packet, ref pos, ref query))
            {
                return DnsParseOutcome.FormErr;
            }
        }

        return pos == packet.Length ? DnsParseOutcome.Query : DnsParseOutcome.FormErr;
    }

    private static bool TryReadQuestion(ReadOnlySpan<byte> packet, Span<byte> labelOffsets, ref DnsQuery query)
    {
        var pos = DnsWire.HeaderLength;
        var labels = 0;
        while (true)
        {
            if (pos >= packet.Length)
            {
                return false;
            }

            var length = packet[pos];
            if (length == 0)
            {
                pos++;
                break;
            }

            // 0xC0 is a compression pointer, 0x40 and 0x80 are the obsolete extended label types: all refused here.
            if (length > DnsName.MaxLabelLength || pos + 1 + length > packet.Length
                || pos + 1 + length - DnsWire.HeaderLength + 1 > DnsName.MaxLength || labels >= labelOffsets.Length)
            {
                return false;
            }

            labelOffsets[labels++] = (byte)(pos - DnsWire.HeaderLength);
            pos += 1 + length;
        }

        if (pos + 4 > packet.Length)
        {
            return false;
        }

        query.NameLength = pos - DnsWire.HeaderLength;
        query.LabelCount = labels;
        query.QType = BinaryPrimitives.ReadUInt16BigEndian(packet[pos..]);
        query.QClass = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 2)..]);
        query.HasQuestion = true;
        return true;
    }

    private static bool TryReadAdditional(ReadOnlySpan<byte> packet, ref int pos, ref DnsQuery query)
    {
        var ownerIsRoot = pos < packet.Length && packet[pos] == 0;
        if (!TrySkipName(packet, ref pos) || pos + 10 > packet.Length)
        {
            return false;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(packet[pos..]);
        var rrClass = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(packet[(pos + 4)..]);
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 8)..]);
        pos += 10;
        if (pos + rdLength > packet.Length)
        {
            return false;
        }

        if (type == DnsWire.TypeOpt)
        {
            // RFC 6891 §6.1.1: one OPT, owned by the root; its options must tile its RDATA exactly.
            if (query.HasEdns || !ownerIsRoot || !OptionsWellFormed(packet.Slice(pos, rdLength)))
            {
                return false;
            }

            query.HasEdns = true;
            query.EdnsUdpSize = rrClass;
            query.EdnsVersion = (byte)(ttl >> 16);
        }

        pos += rdLength;
        return true;
    }

    private static bool OptionsWellFormed(ReadOnlySpan<byte> rdata)
    {
        while (rdata.Length > 0)
        {
            if (rdata.Length < 4)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(rdata[2..]);
            if (4 + length > rdata.Length)
            {
                return false;
            }

            rdata = rdata[(4 + length)..];
        }

        return true;
    }

    /// <summary>Skips a name that may end in a compression pointer (not followed, so it cannot loop).</summary>
    private static bool TrySkipName(ReadOnlySpan<byte> packet, ref int pos)
    {
        var length = 0;
        while (pos < packet.Length)
        {
            var b = packet[pos];
            if (b == 0)
            {
                pos++;
                return true;
            }

            if ((b & 0xC0) == 0xC0)
            {
                pos += 2;
                return pos <= packet.Length;
            }

            length += b + 1;
            if (b > DnsName.MaxLabelLength || length + 1 > DnsName.MaxLength)
            {
                return false;
            }

            pos += b + 1;
        }

        return false;
    }
}
