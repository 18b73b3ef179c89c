using System.Buffers.Binary;

namespace KarmaKit.Protocol.Subjects;

/// <summary>
/// An IP address as a 128-bit value: IPv6 as is, IPv4 as its IPv4-mapped form (::ffff:a.b.c.d),
/// so that one value type keys both families and an IPv4-mapped IPv6 address is the same subject
/// as the IPv4 address. No allocation to parse, compare or format.
/// </summary>
public readonly struct IpSubject : IEquatable<IpSubject>, IComparable<IpSubject>
{
    private const ulong MappedPrefixLow = 0x0000_FFFF_0000_0000UL;

    /// <summary>Longest canonical text: a full IPv6 address with no zero run.</summary>
    public const int MaxTextLength = 39;

    private IpSubject(UInt128 value) => Value = value;

    /// <summary>The address as a big-endian 128-bit number (IPv4 mapped into ::ffff:0:0/96).</summary>
    public UInt128 Value { get; }

    /// <summary>True for IPv4 (and IPv4-mapped IPv6, which is the same subject).</summary>
    public bool IsIPv4 => (ulong)(Value >> 64) == 0 && ((ulong)Value & 0xFFFF_FFFF_0000_0000UL) == MappedPrefixLow;

    /// <summary>The IPv4 address as a big-endian 32-bit number; only meaningful when <see cref="IsIPv4"/>.</summary>
    public uint IPv4Value => (uint)Value;

    /// <summary>0.0.0.0 or ::, which no host can send from.</summary>
    public bool IsUnspecified => Value == 0 || (IsIPv4 && IPv4Value == 0);

    /// <summary>Builds an IPv4 subject from its 32-bit big-endian value.</summary>
    public static IpSubject FromIPv4(uint address) => new(((UInt128)MappedPrefixLow) | address);

    /// <summary>Builds a subject from a 128-bit IPv6 value; IPv4-mapped values become IPv4.</summary>
    public static IpSubject FromIPv6(UInt128 address) => new(address);

    /// <summary>Builds a subject from 4 or 16 network-order bytes.</summary>
    public static IpSubject FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        4 => FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes)),
        16 => new(BinaryPrimitives.ReadUInt128BigEndian(bytes)),
        _ => throw new ArgumentException("an address has 4 or 16 bytes", nameof(bytes)),
    };

    /// <summary>Parses IPv4 dotted-quad or IPv6 text (compressed, fully expanded or with a dotted tail), from ASCII bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out IpSubject subject) => IpText.TryParse(text, out subject);

    /// <summary>Parses IPv4 or IPv6 text.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpSubject subject)
    {
        Span<byte> ascii = stackalloc byte[IpText.MaxInputLength];
        if (text.Length > ascii.Length
            || System.Text.Ascii.FromUtf16(text, ascii, out var written) != System.Buffers.OperationStatus.Done)
        {
            subject = default;
            return false;
        }

        return IpText.TryParse(ascii[..written], out subject);
    }

    /// <summary>Parses text or throws <see cref="FormatException"/>.</summary>
    public static IpSubject Parse(string text) =>
        TryParse(text.AsSpan(), out var subject) ? subject : throw new FormatException($"'{text}' is not an IP address");

    /// <summary>Writes the canonical text (dotted quad, or RFC 5952 IPv6) as ASCII.</summary>
    public bool TryFormat(Span<byte> destination, out int written) => IpText.TryFormat(this, destination, out written);

    /// <summary>Writes the network-order bytes: 4 for IPv4, 16 for IPv6.</summary>
    public int WriteBytes(Span<byte> destination)
    {
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, IPv4Value);
            return 4;
        }

        BinaryPrimitives.WriteUInt128BigEndian(destination, Value);
        return 16;
    }

    /// <summary>The canonical text.</summary>
    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[MaxTextLength];
        TryFormat(buffer, out var written);
        return System.Text.Encoding.ASCII.GetString(buffer[..written]);
    }

    public bool Equals(IpSubject other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is IpSubject other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode();

    public int CompareTo(IpSubject other) => Value.CompareTo(other.Value);

    public static bool operator ==(IpSubject left, IpSubject right) => left.Equals(right);

    public static bool operator !=(IpSubject left, IpSubject right) => !left.Equals(right);

    public static bool operator <(IpSubject left, IpSubject right) => left.Value < right.Value;

    public static bool operator >(IpSubject left, IpSubject right) => left.Value > right.Value;

    public static bool operator <=(IpSubject left, IpSubject right) => left.Value <= right.Value;

    public static bool operator >=(IpSubject left, IpSubject right) => left.Value >= right.Value;
}
