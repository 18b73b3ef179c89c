using System.Buffers.Binary;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// Writes a response into a caller's buffer up to a limit (512, the EDNS size, or 65535 over TCP). A write that does
/// not fit sets <see cref="Overflowed"/> and writes nothing more, so the responder can fall back to a truncated (TC)
/// answer. Names are written as prepared labels and 14-bit compression pointers into the echoed question.
/// </summary>
internal ref struct DnsMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _answers;
    private int _authorities;
    private int _additionals;

    public DnsMessageWriter(Span<byte> buffer, int limit)
    {
        _buffer = buffer[..Math.Min(limit, buffer.Length)];
        _position = DnsWire.HeaderLength;
    }

    public readonly bool Overflowed => _position > _buffer.Length;

    public readonly int Length => _position;

    /// <summary>Records in the answer section so far.</summary>
    public readonly int Answers => _answers;

    /// <summary>Takes back what was written after <see cref="Length"/> was <paramref name="length"/> and <see cref="Answers"/> <paramref name="answers"/>.</summary>
    public void Rewind(int length, int answers) => (_position, _answers) = (length, answers);

    /// <summary>Copies the question (header excluded) from the query, as sent: the client's case is echoed.</summary>
    public void WriteQuestion(ReadOnlySpan<byte> query, int questionEnd) => WriteBytes(query[DnsWire.HeaderLength..questionEnd]);

    /// <summary>Starts a resource record in the answer (0), authority (1) or additional (2) section.</summary>
    public void StartRecord(int section, int ownerPointer, ushort type, uint ttl)
    {
        if (ownerPointer < 0)
        {
            WriteByte(0);
        }
        else
        {
            WritePointer(ownerPointer);
        }

        WriteRecordHeader(section, type, ttl);
    }

    /// <summary>The type, class IN and TTL of a record whose owner name the caller has just written, counted in its section.</summary>
    public void WriteRecordHeader(int section, ushort type, uint ttl)
    {
        WriteUInt16(type);
        WriteUInt16(DnsWire.ClassIn);
        WriteUInt32(ttl);
        _ = section switch
        {
            0 => _answers++,
            1 => _authorities++,
            _ => _additionals++,
        };
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

    /// <summary>Writes a prepared name: its own labels, then a pointer to the apex suffix it shares (see <see cref="DnsZone"/>).</summary>
    public void WriteName(CompressibleName name, scoped ReadOnlySpan<byte> labelOffsets, int apexLabel)
    {
        WriteBytes(name.Prefix);
        if (name.ZoneLabel >= 0)
        {
            WritePointer(DnsWire.HeaderLength + labelOffsets[apexLabel + name.ZoneLabel]);
        }
    }

    /// <summary>An OPT record (RFC 6891) with our payload size, version 0, no flags and the high bits of the rcode.</summary>
    public void WriteOpt(ushort udpPayloadSize, DnsRcode rcode)
    {
        WriteByte(0);
        WriteUInt16(DnsWire.TypeOpt);
        WriteUInt16(udpPayloadSize);
        WriteUInt32((uint)((int)rcode >> 4) << 24);
        WriteUInt16(0);
        _additionals++;
    }

    /// <summary>Writes the header last, when the counts are known; returns the message length.</summary>
    public readonly int Finish(ushort id, byte flags2, DnsRcode rcode, bool hasQuestion)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer, id);
        _buffer[2] = flags2;
        _buffer[3] = (byte)((int)rcode & 0x0F);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[4..], (ushort)(hasQuestion ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[6..], (ushort)_answers);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[8..], (ushort)_authorities);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[10..], (ushort)_additionals);
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
