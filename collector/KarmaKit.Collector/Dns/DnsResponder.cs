using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// The authoritative answer to one query, as a pure function of the packet, <see cref="DnsSettings"/> and
/// <see cref="IDnsListing"/>: no sockets, no allocation. RFC 5782 semantics:
/// <list type="bullet">
/// <item>a listed address: A (its 127.0.0.x code) and TXT (the template); ANY gets the A alone (RFC 8482: one RRset,
/// the one a DNSBL client wants); any other type NODATA;</item>
/// <item>an unlisted address or a name that is no address: NXDOMAIN; a partial name (empty non-terminal): NODATA;
/// both with the SOA in the authority section, TTL min(Ttl, NegativeTtl) (RFC 2308);</item>
/// <item>the apex: SOA, NS (ANY gets the SOA); a name outside the zones or a class other than IN: REFUSED;
/// zone transfers: REFUSED (over TCP, <see cref="Transfer.ZoneTransfers"/> serves them before they get here; never over UDP); malformed: FORMERR; a response or a runt: dropped; other opcodes: NOTIMP.</item>
/// </list>
/// AA is set on authoritative answers, RA never, RD is copied. EDNS0: an OPT with our payload size is echoed, the
/// UDP limit is the client's size within [512, ours], and an answer over the limit is sent empty with TC.
/// </summary>
internal sealed class DnsResponder(DnsSettings settings, IDnsListing listing)
{
    private const int Answer = 0;
    private const int Authority = 1;

    public DnsSettings Settings => settings;

    /// <summary>Writes the response to <paramref name="query"/> into <paramref name="response"/>; 0 means send nothing.</summary>
    /// <param name="tcp">Over TCP the limit is 65535 bytes instead of the UDP size.</param>
    public int Respond(ReadOnlySpan<byte> query, Span<byte> response, bool tcp)
    {
        Span<byte> labels = stackalloc byte[DnsWire.MaxLabels];
        var outcome = DnsMessageReader.Parse(query, labels, out var q);
        if (outcome == DnsParseOutcome.Drop || response.Length < DnsWire.ClassicUdpSize)
        {
            return 0;
        }

        var limit = tcp ? DnsWire.MaxMessageSize
            : q.HasEdns ? Math.Clamp((int)q.EdnsUdpSize, DnsWire.ClassicUdpSize, settings.UdpPayloadSize)
            : DnsWire.ClassicUdpSize;
        var w = new DnsMessageWriter(response, limit);
        switch (outcome)
        {
            case DnsParseOutcome.NotImp:
                return Error(ref w, query, q, DnsRcode.NotImp);
            case DnsParseOutcome.FormErr:
                return Error(ref w, query, q, DnsRcode.FormErr);
        }

        if (q.HasEdns && q.EdnsVersion != 0)
        {
            return Error(ref w, query, q, DnsRcode.BadVers);
        }

        if (q.QType == DnsWire.TypeOpt)
        {
            return Error(ref w, query, q, DnsRcode.FormErr);
        }

        var zone = FindZone(query[DnsWire.HeaderLength..], labels, q.LabelCount, out var prefix);
        if (zone is null || q.QClass is not (DnsWire.ClassIn or DnsWire.ClassAny) || q.QType is DnsWire.TypeAxfr or DnsWire.TypeIxfr)
        {
            return Error(ref w, query, q, DnsRcode.Refused);
        }

        if (q.QType is DnsWire.TypeMailA or DnsWire.TypeMailB)
        {
            return Error(ref w, query, q, DnsRcode.NotImp);
        }

        w.WriteQuestion(query, q.QuestionEnd);
        var rcode = Authoritative(ref w, query, q, labels, zone, prefix);
        var length = Complete(ref w, q, rcode, DnsWire.FlagAa);
        if (length > 0)
        {
            return length;
        }

        // Over the limit (UDP only): the question alone, with TC, so the client asks again over TCP.
        w = new DnsMessageWriter(response, limit);
        w.WriteQuestion(query, q.QuestionEnd);
        return Complete(ref w, q, rcode, DnsWire.FlagAa | DnsWire.FlagTc);
    }

    private DnsRcode Authoritative(ref DnsMessageWriter w, scoped ReadOnlySpan<byte> query, in DnsQuery q, scoped ReadOnlySpan<byte> labels, DnsZone zone, int prefix)
    {
        if (prefix == 0)
        {
            switch (q.QType)
            {
                case DnsWire.TypeSoa or DnsWire.TypeAny:
                    WriteSoa(ref w, Answer, zone, labels, prefix, settings.Ttl);
                    return DnsRcode.NoError;
                case DnsWire.TypeNs:
                    WriteNs(ref w, zone, labels, prefix);
                    return DnsRcode.NoError;
                default:
                    return Negative(ref w, zone, labels, prefix, DnsRcode.NoError);
            }
        }

        var name = query[DnsWire.HeaderLength..];
        var kind = DnsblName.Classify(name, labels, prefix, out var subject);
        if (kind is DnsblNameKind.Address or DnsblNameKind.AddressOrPartial && TryGetListed(zone.List, subject, out var answer))
        {
            switch (q.QType)
            {
                case DnsWire.TypeA or DnsWire.TypeAny:
                    w.StartRecord(Answer, DnsWire.HeaderLength, DnsWire.TypeA, settings.Ttl);
                    w.WriteUInt16(4);
                    w.WriteUInt32(answer.Code);
                    return DnsRcode.NoError;
                case DnsWire.TypeTxt:
                    w.StartRecord(Answer, DnsWire.HeaderLength, DnsWire.TypeTxt, settings.Ttl);
                    var at = w.StartRData();
                    var text = w.Free;
                    var length = text.Length > 1 ? settings.Txt.Write(text[1..], answer.Reason, listing.ListedAs(zone.List, subject)) : 0;
                    w.WriteByte((byte)length);
                    w.Advance(length);
                    w.EndRData(at);
                    return DnsRcode.NoError;
                default:
                    return Negative(ref w, zone, labels, prefix, DnsRcode.NoError);
            }
        }

        var exists = kind is DnsblNameKind.Partial or DnsblNameKind.AddressOrPartial;
        return Negative(ref w, zone, labels, prefix, exists ? DnsRcode.NoError : DnsRcode.NxDomain);
    }

    private bool TryGetListed(DnsList list, IpSubject subject, out ListingAnswer answer)
    {
        if (subject == Rfc5782TestEntries.Unlisted)
        {
            answer = default;
            return false;
        }

        if (listing.TryGet(list, subject, out answer))
        {
            return true;
        }

        answer = ListingAnswer.TestEntry;
        return subject == Rfc5782TestEntries.Listed;
    }

    private DnsRcode Negative(ref DnsMessageWriter w, DnsZone zone, scoped ReadOnlySpan<byte> labels, int prefix, DnsRcode rcode)
    {
        WriteSoa(ref w, Authority, zone, labels, prefix, Math.Min(settings.Ttl, settings.NegativeTtl));
        return rcode;
    }

    private void WriteSoa(ref DnsMessageWriter w, int section, DnsZone zone, scoped ReadOnlySpan<byte> labels, int prefix, uint ttl)
    {
        w.StartRecord(section, DnsWire.HeaderLength + labels[prefix], DnsWire.TypeSoa, ttl);
        var at = w.StartRData();
        w.WriteName(zone.Mname, labels, prefix);
        w.WriteName(zone.Rname, labels, prefix);
        w.WriteUInt32(listing.Serial(zone.List));
        w.WriteUInt32(settings.Refresh);
        w.WriteUInt32(settings.Retry);
        w.WriteUInt32(settings.Expire);
        w.WriteUInt32(settings.NegativeTtl);
        w.EndRData(at);
    }

    private void WriteNs(ref DnsMessageWriter w, DnsZone zone, scoped ReadOnlySpan<byte> labels, int prefix)
    {
        foreach (var ns in zone.Ns)
        {
            w.StartRecord(Answer, DnsWire.HeaderLength + labels[prefix], DnsWire.TypeNs, settings.Ttl);
            var at = w.StartRData();
            w.WriteName(ns, labels, prefix);
            w.EndRData(at);
        }
    }

    private int Error(ref DnsMessageWriter w, ReadOnlySpan<byte> query, in DnsQuery q, DnsRcode rcode)
    {
        var echo = q.HasQuestion && rcode != DnsRcode.NotImp;
        if (echo)
        {
            w.WriteQuestion(query, q.QuestionEnd);
        }

        return Complete(ref w, q, rcode, 0, echo);
    }

    /// <summary>Adds the OPT when the query had one and writes the header; 0 when the message overflowed.</summary>
    private int Complete(ref DnsMessageWriter w, in DnsQuery q, DnsRcode rcode, byte flags, bool hasQuestion = true)
    {
        if (q.HasEdns)
        {
            w.WriteOpt(settings.UdpPayloadSize, rcode);
        }

        if (w.Overflowed)
        {
            return 0;
        }

        var flags2 = (byte)(DnsWire.FlagQr | (q.Flags & 0x78) | flags | (q.Flags & DnsWire.FlagRd));
        return w.Finish(q.Id, flags2, rcode, hasQuestion);
    }

    private DnsZone? FindZone(ReadOnlySpan<byte> name, ReadOnlySpan<byte> labels, int count, out int prefix)
    {
        foreach (var zone in settings.Zones)
        {
            prefix = count - zone.Labels.Length;
            if (prefix < 0)
            {
                continue;
            }

            var match = true;
            for (var i = 0; i < zone.Labels.Length && match; i++)
            {
                var offset = labels[prefix + i];
                match = DnsName.LabelEquals(name.Slice(offset + 1, name[offset]), zone.Labels[i]);
            }

            if (match)
            {
                return zone;
            }
        }

        prefix = 0;
        return null;
    }
}
