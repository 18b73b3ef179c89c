using KarmaKit.Collector.Zones;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// The answer to one zone transfer as a sequence of messages, written one at a time into a reused buffer, so a zone
/// of any size streams in constant memory beyond its <see cref="ZoneSnapshot"/> (RFC 5936 §2.2). The answer is a
/// list of segments: an SOA at a serial, the NS records, or entries, each written at each of its owner names
/// (<see cref="ZoneOwnerNames"/>) as an A and a TXT, as the server answers them. An AXFR is SOA, NS, the snapshot's
/// entries, SOA; an IXFR that is up to date is the one SOA (RFC 1995 §2); an incremental IXFR is the new SOA, the
/// old SOA, the entries removed, the new SOA, the entries added, the new SOA (RFC 1995 §4, one difference sequence).
/// Every record has the server's TTL. The question is in the first message only; each message fills up to the size
/// limit and a record is never split.
/// </summary>
internal sealed class ZoneTransferMessages
{
    private readonly DnsSettings _settings;
    private readonly DnsZone _zone;
    private readonly Segment[] _segments;
    private readonly List<int> _apexLabels;
    private readonly List<string> _names = new(8);
    private int _segment;
    private int _index;
    private int _name;
    private bool _txtNext;
    private int _messages;

    private ZoneTransferMessages(DnsSettings settings, DnsZone zone, Segment[] segments)
    {
        _settings = settings;
        _zone = zone;
        _segments = segments;
        _apexLabels = DnsName.LabelOffsets(zone.Apex);
        SkipEmpty();
    }

    /// <summary>The whole zone (AXFR, or an IXFR answered in full), or with <paramref name="soaOnly"/> the one SOA of an up-to-date IXFR client.</summary>
    public ZoneTransferMessages(DnsSettings settings, DnsZone zone, ZoneSnapshot snapshot, bool soaOnly = false)
        : this(settings, zone, soaOnly
            ? [Segment.Soa(snapshot.Serial)]
            : [Segment.Soa(snapshot.Serial), Segment.Ns, Segment.Of(snapshot.Entries), Segment.Soa(snapshot.Serial)])
    {
    }

    /// <summary>The one SOA at <paramref name="serial"/> that tells an IXFR client it is up to date.</summary>
    public static ZoneTransferMessages SoaOnly(DnsSettings settings, DnsZone zone, uint serial) => new(settings, zone, [Segment.Soa(serial)]);

    /// <summary>An incremental IXFR from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static ZoneTransferMessages Incremental(DnsSettings settings, DnsZone zone, uint from, uint to, IReadOnlyList<ZoneEntry> removed, IReadOnlyList<ZoneEntry> added) =>
        new(settings, zone, [Segment.Soa(to), Segment.Soa(from), Segment.Of(removed), Segment.Soa(to), Segment.Of(added), Segment.Soa(to)]);

    /// <summary>Records written so far.</summary>
    public long Records { get; private set; }

    /// <summary>Messages written so far.</summary>
    public int Messages => _messages;

    /// <summary>
    /// Writes the next message into <paramref name="buffer"/> (at most <paramref name="limit"/> bytes) and returns its
    /// length; 0 once the transfer is complete.
    /// </summary>
    /// <param name="question">The query's question (name, type, class), echoed in the first message.</param>
    public int Next(Span<byte> buffer, int limit, ReadOnlySpan<byte> question, ushort id, byte queryFlags)
    {
        if (_segment == _segments.Length)
        {
            return 0;
        }

        var w = new TransferMessageWriter(buffer, limit, _zone.Apex);
        var first = _messages == 0;
        if (first)
        {
            w.WriteQuestion(question);
        }

        var ownerAt = -1;
        while (_segment < _segments.Length)
        {
            var mark = w.Mark();
            WriteRecord(ref w, ref ownerAt);
            if (w.Overflowed)
            {
                if (w.Records == mark.Records)
                {
                    throw new InvalidOperationException($"a record does not fit in a {limit}-byte message");
                }

                w.Rewind(mark);
                break;
            }

            Records++;
            Advance();
        }

        _messages++;
        var flags = (byte)(DnsWire.FlagQr | DnsWire.FlagAa | (queryFlags & DnsWire.FlagRd));
        return w.Finish(id, flags, DnsRcode.NoError, first);
    }

    private void WriteRecord(ref TransferMessageWriter w, ref int ownerAt)
    {
        var ttl = _settings.Ttl;
        var segment = _segments[_segment];
        switch (segment.Kind)
        {
            case SegmentKind.Soa:
                w.WriteApex();
                w.WriteRecordHeader(DnsWire.TypeSoa, ttl);
                var soa = w.StartRData();
                w.WriteName(_zone.Mname, _apexLabels);
                w.WriteName(_zone.Rname, _apexLabels);
                w.WriteUInt32(segment.Serial);
                w.WriteUInt32(_settings.Refresh);
                w.WriteUInt32(_settings.Retry);
                w.WriteUInt32(_settings.Expire);
                w.WriteUInt32(_settings.NegativeTtl);
                w.EndRData(soa);
                return;
            case SegmentKind.Ns:
                w.WriteApex();
                w.WriteRecordHeader(DnsWire.TypeNs, ttl);
                var ns = w.StartRData();
                w.WriteName(_zone.Ns[_index], _apexLabels);
                w.EndRData(ns);
                return;
        }

        var entry = segment.Entries[_index];
        if (_names.Count == 0)
        {
            ZoneOwnerNames.Append(entry, _names);
        }

        // The TXT shares the A's owner: a pointer to it when it is in this message and within a pointer's reach.
        if (_txtNext && ownerAt is >= 0 and < 0x4000)
        {
            w.WritePointer(ownerAt);
        }
        else
        {
            ownerAt = w.WriteRelativeName(_names[_name]);
        }

        if (!_txtNext)
        {
            w.WriteRecordHeader(DnsWire.TypeA, ttl);
            w.WriteUInt16(4);
            w.WriteUInt32(entry.Answer.Code);
            return;
        }

        w.WriteRecordHeader(DnsWire.TypeTxt, ttl);
        var at = w.StartRData();
        var text = w.Free;
        if (text.Length <= TxtTemplate.MaxLength)
        {
            // The template would cut the text to the space left; a whole TXT goes into the next message instead.
            w.Advance(TxtTemplate.MaxLength + 1);
            return;
        }

        var length = _settings.Txt.Write(text[1..], entry.Answer.Reason, entry.Network);
        w.WriteByte((byte)length);
        w.Advance(length);
        w.EndRData(at);
    }

    /// <summary>Moves to the record after the one just written.</summary>
    private void Advance()
    {
        var segment = _segments[_segment];
        if (segment.Kind == SegmentKind.Entries)
        {
            if (!_txtNext)
            {
                _txtNext = true;
                return;
            }

            _txtNext = false;
            if (++_name < _names.Count)
            {
                return;
            }

            _name = 0;
            _names.Clear();
        }

        if (++_index >= segment.Count(_zone))
        {
            (_segment, _index) = (_segment + 1, 0);
            SkipEmpty();
        }
    }

    private void SkipEmpty()
    {
        while (_segment < _segments.Length && _segments[_segment].Count(_zone) == 0)
        {
            _segment++;
        }
    }

    private enum SegmentKind
    {
        Soa,
        Ns,
        Entries,
    }

    private sealed record Segment(SegmentKind Kind, uint Serial, IReadOnlyList<ZoneEntry> Entries)
    {
        public static Segment Ns { get; } = new(SegmentKind.Ns, 0, []);

        public static Segment Soa(uint serial) => new(SegmentKind.Soa, serial, []);

        public static Segment Of(IReadOnlyList<ZoneEntry> entries) => new(SegmentKind.Entries, 0, entries);

        /// <summary>Records, or owners for entries, in the segment.</summary>
        public int Count(DnsZone zone) => Kind switch
        {
            SegmentKind.Soa => 1,
            SegmentKind.Ns => zone.Ns.Length,
            _ => Entries.Count,
        };
    }
}
