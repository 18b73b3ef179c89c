namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// Writes one message of a zone transfer into a caller's buffer up to a size limit. Names are compressed against the
/// apex: the first name that needs the apex writes it in full and later names point to it (or into it), so a record
/// costs its own labels and a 2-byte pointer. A write past the limit sets <see cref="Overflowed"/>;
/// <see cref="Mark"/> and <see cref="Rewind"/> take back a record that did not fit, to start it in the next message.
/// The bytes are written by the responder's <see cref="DnsMessageWriter"/>; this adds the apex compression.
/// </summary>
internal ref struct TransferMessageWriter
{
    private readonly ReadOnlySpan<byte> _apex;
    private DnsMessageWriter _writer;
    private int _apexAt;

    /// <param name="apex">The zone apex in wire form, lower case.</param>
    public TransferMessageWriter(Span<byte> buffer, int limit, ReadOnlySpan<byte> apex)
    {
        _writer = new DnsMessageWriter(buffer, limit);
        _apex = apex;
        _apexAt = -1;
    }

    public readonly bool Overflowed => _writer.Overflowed;

    /// <summary>Records in the answer section so far.</summary>
    public readonly int Records => _writer.Answers;

    /// <summary>The free space, to write into directly (then <see cref="Advance"/>).</summary>
    public readonly Span<byte> Free => _writer.Free;

    /// <summary>The state before a record, to <see cref="Rewind"/> to.</summary>
    public readonly (int Position, int Records, int ApexAt) Mark() => (_writer.Length, _writer.Answers, _apexAt);

    public void Rewind((int Position, int Records, int ApexAt) mark)
    {
        _writer.Rewind(mark.Position, mark.Records);
        _apexAt = mark.ApexAt;
    }

    public void WriteQuestion(ReadOnlySpan<byte> question) => _writer.WriteBytes(question);

    /// <summary>Starts a record of class IN; the owner is written by the caller first (<see cref="WriteApex"/>, <see cref="WriteRelativeName"/> or <see cref="WritePointer"/>).</summary>
    public void WriteRecordHeader(ushort type, uint ttl) => _writer.WriteRecordHeader(0, type, ttl);

    /// <summary>The apex: in full the first time in this message, then a pointer to it.</summary>
    public void WriteApex() => WriteApexFrom(0);

    /// <summary>
    /// A name given as dotted labels relative to the apex (<c>2.0.0.127</c>, <c>*.8.b.d.0.1.0.0.2</c>), then the apex;
    /// returns where the name starts, for a later record with the same owner to point at.
    /// </summary>
    public int WriteRelativeName(string labels)
    {
        var at = _writer.Length;
        var start = 0;
        while (start < labels.Length)
        {
            var end = labels.IndexOf('.', start);
            end = end < 0 ? labels.Length : end;
            _writer.WriteByte((byte)(end - start));
            var free = _writer.Free;
            for (var i = 0; i < end - start && i < free.Length; i++)
            {
                free[i] = (byte)labels[start + i];
            }

            _writer.Advance(end - start); // past the limit this sets Overflowed
            start = end + 1;
        }

        WriteApex();
        return at;
    }

    /// <summary>A name prepared against the apex (see <see cref="DnsZone"/>): its own labels, then the apex suffix it shares.</summary>
    public void WriteName(CompressibleName name, IReadOnlyList<int> apexLabelOffsets)
    {
        _writer.WriteBytes(name.Prefix);
        if (name.ZoneLabel >= 0)
        {
            WriteApexFrom(apexLabelOffsets[name.ZoneLabel]);
        }
    }

    /// <summary>Reserves the RDLENGTH; pass the result to <see cref="EndRData"/>.</summary>
    public int StartRData() => _writer.StartRData();

    public readonly void EndRData(int at) => _writer.EndRData(at);

    /// <summary>Writes the header (every record in the answer section); returns the message length.</summary>
    public readonly int Finish(ushort id, byte flags2, DnsRcode rcode, bool hasQuestion) => _writer.Finish(id, flags2, rcode, hasQuestion);

    public void WritePointer(int offset) => _writer.WritePointer(offset);

    public void WriteByte(byte value) => _writer.WriteByte(value);

    public void WriteUInt16(ushort value) => _writer.WriteUInt16(value);

    public void WriteUInt32(uint value) => _writer.WriteUInt32(value);

    public void Advance(int count) => _writer.Advance(count);

    /// <summary>The apex from the label at byte <paramref name="offset"/> of it: a pointer when the apex is in the message.</summary>
    private void WriteApexFrom(int offset)
    {
        if (_apexAt >= 0)
        {
            _writer.WritePointer(_apexAt + offset);
            return;
        }

        if (offset == 0)
        {
            _apexAt = _writer.Length;
        }

        _writer.WriteBytes(_apex[offset..]);
    }
}
