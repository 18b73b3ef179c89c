using KarmaKit.Collector.Zones;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// The answer to one zone transfer as a sequence of messages, written one at a time into a reused buffer, so a zone
/// of any size streams in constant memory beyond its <see cref="ZoneSnapshot"/> (RFC 5936 §2.2): the SOA, the NS
/// records, then for each entry of the snapshot, at each of its owner names (<see cref="ZoneOwnerNames"/>), an A and a
/// TXT as the server answers them, and the SOA again. Every record has the server's TTL. The question is in the first
/// message only; each message fills up to the size limit and a record is never split. With
/// <c>soaOnly</c> the answer is the single SOA that tells an IXFR client it is up to date (RFC 1995 §2).
/// </summary>
internal sealed class ZoneTransferMessages
{
    private readonly DnsSettings _settings;
    private readonly DnsZone _zone;
    private readonly ZoneSnapshot _snapshot;
    private readonly List<int> _apexLabels;
    private readonly List<string> _names = new(8);
    private Phase _phase;
    private int _index;
    private int _name;
    private bool _txtNext;
    private int _messages;

    public ZoneTransferMessages(DnsSettings settings, DnsZone zone, ZoneSnapshot snapshot, bool soaOnly = false)
    {
        _settings = settings;
        _zone = zone;
        _snapshot = snapshot;
        _apexLabels = DnsName.LabelOffsets(zone.Apex);
        _phase = soaOnly ? Phase.LastSoa : Phase.FirstSoa;
    }

    private enum Phase
    {
        FirstSoa,
        Ns,
        Entries,
        LastSoa,
        Done,
    }

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
        if (_phase == Phase.Done)
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
        while (_phase != Phase.Done)
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
        switch (_phase)
        {
            case Phase.FirstSoa or Phase.LastSoa:
                w.WriteApex();
                w.WriteRecordHeader(DnsWire.TypeSoa, ttl);
                var soa = w.StartRData();
                w.WriteName(_zone.Mname, _apexLabels);
                w.WriteName(_zone.Rname, _apexLabels);
                w.WriteUInt32(_snapshot.Serial);
                w.WriteUInt32(_settings.Refresh);
                w.WriteUInt32(_settings.Retry);
                w.WriteUInt32(_settings.Expire);
                w.WriteUInt32(_settings.NegativeTtl);
                w.EndRData(soa);
                return;
            case Phase.Ns:
                w.WriteApex();
                w.WriteRecordHeader(DnsWire.TypeNs, ttl);
                var ns = w.StartRData();
                w.WriteName(_zone.Ns[_index], _apexLabels);
                w.EndRData(ns);
                return;
        }

        var entry = _snapshot.Entries[_index];
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
        switch (_phase)
        {
            case Phase.FirstSoa:
                (_phase, _index) = _zone.Ns.Length > 0 ? (Phase.Ns, 0) : (Phase.Entries, 0);
                break;
            case Phase.Ns:
                if (++_index == _zone.Ns.Length)
                {
                    (_phase, _index) = (Phase.Entries, 0);
                }

                break;
            case Phase.Entries:
                if (!_txtNext)
                {
                    _txtNext = true;
                    break;
                }

                _txtNext = false;
                if (++_name < _names.Count)
                {
                    break;
                }

                (_name, _index) = (0, _index + 1);
                _names.Clear();
                break;
            case Phase.LastSoa:
                _phase = Phase.Done;
                return;
        }

        if (_phase == Phase.Entries && _index == _snapshot.Entries.Count)
        {
            _phase = Phase.LastSoa;
        }
    }
}
