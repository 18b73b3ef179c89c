using System.Buffers.Binary;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>An RFC 1996 NOTIFY: opcode 4, AA, the question (apex, SOA, IN) and the zone's current SOA as the answer.</summary>
internal static class NotifyMessage
{
    public const int OpcodeNotify = 4;

    public static int Write(Span<byte> buffer, ushort id, DnsSettings settings, DnsZone zone, uint serial)
    {
        var apexLabels = DnsName.LabelOffsets(zone.Apex);
        var w = new TransferMessageWriter(buffer, DnsWire.ClassicUdpSize, zone.Apex);
        w.WriteApex();
        w.WriteUInt16(DnsWire.TypeSoa);
        w.WriteUInt16(DnsWire.ClassIn);
        w.WriteApex();
        w.WriteRecordHeader(DnsWire.TypeSoa, settings.Ttl);
        var at = w.StartRData();
        w.WriteName(zone.Mname, apexLabels);
        w.WriteName(zone.Rname, apexLabels);
        w.WriteUInt32(serial);
        w.WriteUInt32(settings.Refresh);
        w.WriteUInt32(settings.Retry);
        w.WriteUInt32(settings.Expire);
        w.WriteUInt32(settings.NegativeTtl);
        w.EndRData(at);
        if (w.Overflowed)
        {
            throw new InvalidOperationException("a NOTIFY does not fit in 512 bytes");
        }

        return w.Finish(id, (byte)((OpcodeNotify << 3) | DnsWire.FlagAa), DnsRcode.NoError, hasQuestion: true);
    }

    /// <summary>Whether <paramref name="packet"/> is the response to NOTIFY <paramref name="id"/>; its rcode in <paramref name="rcode"/>.</summary>
    public static bool IsResponse(ReadOnlySpan<byte> packet, ushort id, out DnsRcode rcode)
    {
        rcode = DnsRcode.NoError;
        if (packet.Length < DnsWire.HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(packet) != id
            || (packet[2] & DnsWire.FlagQr) == 0 || ((packet[2] >> 3) & 0x0F) != OpcodeNotify)
        {
            return false;
        }

        rcode = (DnsRcode)(packet[3] & 0x0F);
        return true;
    }
}
