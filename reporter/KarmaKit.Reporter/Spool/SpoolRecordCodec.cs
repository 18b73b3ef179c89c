using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// The journal's on-disk format: one place that writes it and one that reads it.
/// <code>
/// Segment file journal/&lt;first sequence, 20 digits&gt;.seg:
///   offset size
///   0      8    magic "KKSPOOL1" (ASCII; the last byte is the format version)
///   8      ...  records, back to back, no padding
///
/// Record (little-endian):
///   offset size
///   0      4    length: the whole record in bytes, header included (32..244)
///   4      4    CRC32C (Castagnoli) of bytes 0..3 followed by bytes 8..length-1
///   8      8    sequence: unique and increasing over the spool's lifetime
///   16     8    received: Unix time in milliseconds, UTC
///   24     1    verb (1 black, 2 white)
///   25     1    subject length: 4 (IPv4) or 16 (IPv6)
///   26     1    reason length in bytes (0..200; 0 = no reason)
///   27     1    reserved, 0
///   28     4|16 subject, network byte order
///   ..     n    reason, UTF-8
/// </code>
/// A record is whole when its length is in bounds, it fits in the file, its CRC matches and its fields are valid.
/// Recovery keeps every whole record and sets aside everything from the first record that is not (a torn tail).
/// </summary>
internal static class SpoolRecordCodec
{
    public const int HeaderSize = 28;
    public const int MinRecordSize = HeaderSize + 4;
    public const int MaxRecordSize = HeaderSize + 16 + ProtocolLimits.MaxReasonBytes;
    public const int SegmentHeaderSize = 8;

    public static ReadOnlySpan<byte> SegmentMagic => "KKSPOOL1"u8;

    /// <summary>The encoded size of an entry.</summary>
    public static int SizeOf(in SpoolEntry entry) => HeaderSize + (entry.Subject.IsIPv4 ? 4 : 16) + entry.Reason.Length;

    /// <summary>Encodes one record into <paramref name="destination"/>, which must hold <see cref="SizeOf"/> bytes.</summary>
    public static int Write(Span<byte> destination, long sequence, long receivedUnixMs, in SpoolEntry entry)
    {
        var reason = entry.Reason.Span;
        var subjectLength = entry.Subject.WriteBytes(destination[HeaderSize..]);
        var length = HeaderSize + subjectLength + reason.Length;
        reason.CopyTo(destination[(HeaderSize + subjectLength)..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], receivedUnixMs);
        destination[24] = (byte)entry.Verb;
        destination[25] = (byte)subjectLength;
        destination[26] = (byte)reason.Length;
        destination[27] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Checksum(destination[..length]));
        return length;
    }

    /// <summary>
    /// Checks the record at the start of <paramref name="source"/>. <see cref="RecordStatus.Incomplete"/> means the
    /// bytes end inside a record that claims a valid length; at the end of a file that is a torn tail.
    /// </summary>
    public static RecordStatus Check(ReadOnlySpan<byte> source, out int length, out long sequence)
    {
        sequence = 0;
        length = 0;
        if (source.Length < 4)
        {
            return RecordStatus.Incomplete;
        }

        length = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (length is < MinRecordSize or > MaxRecordSize)
        {
            return RecordStatus.Invalid;
        }

        if (source.Length < length)
        {
            return RecordStatus.Incomplete;
        }

        var record = source[..length];
        if (BinaryPrimitives.ReadUInt32LittleEndian(record[4..]) != Checksum(record))
        {
            return RecordStatus.Invalid;
        }

        var subjectLength = record[25];
        if (record[24] is not ((byte)Verb.Black or (byte)Verb.White) || subjectLength is not (4 or 16)
            || record[26] > ProtocolLimits.MaxReasonBytes || record[27] != 0 || HeaderSize + subjectLength + record[26] != length)
        {
            return RecordStatus.Invalid;
        }

        sequence = BinaryPrimitives.ReadInt64LittleEndian(record[8..]);
        return RecordStatus.Whole;
    }

    /// <summary>Decodes a record that <see cref="Check"/> found whole.</summary>
    public static SpoolRecord Read(ReadOnlySpan<byte> record)
    {
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(record[8..]);
        var received = DateTime.UnixEpoch.AddMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(record[16..]));
        var subjectLength = record[25];
        var reasonLength = record[26];
        var subject = IpSubject.FromBytes(record.Slice(HeaderSize, subjectLength));
        var reason = reasonLength == 0 ? null : System.Text.Encoding.UTF8.GetString(record.Slice(HeaderSize + subjectLength, reasonLength));
        return new SpoolRecord(sequence, received, (Verb)record[24], subject, reason);
    }

    /// <summary>The received time of a record that <see cref="Check"/> found whole.</summary>
    public static DateTime ReadReceived(ReadOnlySpan<byte> record) =>
        DateTime.UnixEpoch.AddMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(record[16..]));

    /// <summary>CRC32C of the length field and everything after the CRC field.</summary>
    private static uint Checksum(ReadOnlySpan<byte> record)
    {
        var crc = BitOperations.Crc32C(~0u, BinaryPrimitives.ReadUInt32LittleEndian(record));
        return ~Crc32C(crc, record[8..]);
    }

    private static uint Crc32C(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }

        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}

internal enum RecordStatus
{
    Whole,
    Incomplete,
    Invalid,
}
