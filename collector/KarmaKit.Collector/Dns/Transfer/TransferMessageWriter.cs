using System.Buffers.Binary;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// Writes one message of a zone transfer into a caller's buffer up to a size limit. Names are compressed against the
/// apex: the first name that needs the apex writes it in full and later names point to it (or into it), so a record
/// costs its own labels and a 2-byte pointer. A write past the limit sets <see cref="Overflowed"/>;
/// <see cref="Mark"/> and <see cref="Rewind"/> take back a record that did not fit, to start it in the next message.
/// </summary>
internal ref struct TransferMessageWriter
{
    private readonly Span<byte> _buffer;
    private readonly ReadOnlySpan<byte> _apex;
    private int _position;
    private int _records;
    private int _apexAt;

    /// <param name="apex">The zone apex in wire form, lower case.</param>
    public TransferMessageWriter(Span<byte> buffer, int limit, ReadOnlySpan<byte> apex)
    {
        _buffer = buffer[..Math.Min(limit, buffer.Length)];
        _apex = apex;
        _position = DnsWire.HeaderLength;
        _apexAt = -1;
    }

    public readonly bool Overflowed => _position > _buffer.Length;

    /// <summary>Records in the answer section so far.</summary>
    public readonly int Records => _records;

    public readonly int Position => _position;

    /// <summary>The state before a record, to <see cref="Rewind"/> to.</summary>
    public readonly (int Position, int Records, int ApexAt) Mark() => (_position, _records, _apexAt);

    public void Rewind((int Position, int Records, int ApexAt) mark) => (_position, _records, _apexAt) = mark;

    public void WriteQuestion(ReadOnlySpan<byte> question) => WriteBytes(question);

    /// <summary>Starts a record of class IN; the owner is written by the caller first (<see cref="WriteApex"/>, <see cref="WriteRelativeName"/> or <see cref="WritePointer"/>).</summary>
    public void WriteRecordHeader(ushort type, uint ttl)
    {
        WriteUInt16(type);
        WriteUInt16(DnsWire.ClassIn);
        WriteUInt32(ttl);
        _records++;
    }

    /// <summary>The apex: in full the first time in this message, then a pointer to it.</summary>
    public void WriteApex() => WriteApexFrom(0);

    /// <summary>
    /// A name given as dotted labels relative to the apex (<c>2.0.0.127</c>, <c>*.8.b.d.0.1.0.0.2</c>), then the apex;
    /// returns where the name starts, for a later record with the same owner to point at.
    /// </summary>
    public int WriteRelativeName(string labels)
    {
        var at = _position;
        var start = 0;
        while (start < labels.Length)
        {
            var end = labels.IndexOf('.', start);
            end = end < 0 ? labels.Length : end;
            WriteByte((byte)(end - start));
            if (Reserve(end - start, out var span))
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (byte)labels[start + i];
                }
            }

            start = end + 1;
        }

        WriteApex();
        return at;
    }

    /// <summary>A name prepared against the apex (see <see cref="DnsZone"/>): its own labels, then the apex suffix it shares.</summary>
    public void WriteName(CompressibleName name, IReadOnlyList<int> apexLabelOffsets)
    {
        WriteBytes(name.Prefix);
        if (name.ZoneLabel >= 0)
        {
            WriteApexFrom(apexLabelOffsets[name.ZoneLabel]);
        }
    }

    /// <summary>Reserves the RDLENGTH; pass the result to <see cref="EndRData"/>.</summary>
    public int StartRData()
    {
        var at = _position;
        WriteUInt16(0);
        return at;
    }

    public readonly void EndRData(int at)
    {
        if (!Overflowed)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[at..], (ushort)(_position - at - 2));
        }
    }

    /// <summary>Writes the header; returns the message length.</summary>
    public readonly int Finish(ushort id, byte flags2, DnsRcode rcode, bool hasQuestion)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer, id);
        _buffer[2] = flags2;
        _buffer[3] = (byte)((int)rcode & 0x0F);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[4..], (ushort)(hasQuestion ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[6..], (ushort)_records);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[8..], 0);
        return _position;
    }

    public void WritePointer(int offset) => WriteUInt16((ushort)(0xC000 | offset));

    public void WriteByte(byte value)
    {
        if (Reserve(1, out var span))
        {
            span[0] = value;
        }
    }

    public void WriteUInt16(ushort value)
    {
        if (Reserve(2, out var span))
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, value);
        }
    }

    public void WriteUInt32(uint value)
    {
        if (Reserve(4, out var span))
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        if (Reserve(value.Length, out var span))
        {
            value.CopyTo(span);
        }
    }

    /// <summary>The free space, to write into directly (then <see cref="Advance"/>).</summary>
    public readonly Span<byte> Free => Overflowed ? [] : _buffer[_position..];

    public void Advance(int count) => Reserve(count, out _);

    /// <summary>The apex from the label at byte <paramref name="offset"/> of it: a pointer when the apex is in the message.</summary>
    private void WriteApexFrom(int offset)
    {
        if (_apexAt >= 0)
        {
            WritePointer(_apexAt + offset);
            return;
        }

        if (offset == 0)
        {
            _apexAt = _position;
        }

        WriteBytes(_apex[offset..]);
    }

    private bool Reserve(int count, out Span<byte> span)
    {
        if (Overflowed || _position + count > _buffer.Length)
        {
            _position = _buffer.Length + 1;
            span = default;
            return false;
        }

        span = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }
}
