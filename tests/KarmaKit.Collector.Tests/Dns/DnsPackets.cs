using System.Buffers.Binary;
using System.Text;

namespace KarmaKit.Collector.Tests.Dns;

/// <summary>Hand-built queries for the tests: header, one question, optionally an OPT record.</summary>
internal static class DnsPackets
{
    public const ushort A = 1;
    public const ushort Ns = 2;
    public const ushort Soa = 6;
    public const ushort Txt = 16;
    public const ushort Aaaa = 28;
    public const ushort Mx = 15;
    public const ushort Any = 255;

    /// <summary>A query for <paramref name="name"/>; <paramref name="edns"/> adds an OPT with that UDP size.</summary>
    public static byte[] Query(string name, ushort type, ushort id = 0x1234, bool rd = true, ushort? edns = null, ushort qclass = 1, byte ednsVersion = 0)
    {
        var bytes = new List<byte>
        {
            (byte)(id >> 8), (byte)id, (byte)(rd ? 0x01 : 0x00), 0x00,
            0, 1, 0, 0, 0, 0, 0, (byte)(edns is null ? 0 : 1),
        };
        bytes.AddRange(Name(name));
        bytes.AddRange([(byte)(type >> 8), (byte)type, (byte)(qclass >> 8), (byte)qclass]);
        if (edns is { } size)
        {
            bytes.AddRange([0, 0, 41, (byte)(size >> 8), (byte)size, 0, ednsVersion, 0, 0, 0, 0]);
        }

        return [.. bytes];
    }

    /// <summary>A name in wire form, no compression.</summary>
    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>The reversed-nibble name of an IPv6 address (RFC 5782 §2.4).</summary>
    public static string Nibbles(string address, string zone)
    {
        var bytes = System.Net.IPAddress.Parse(address).GetAddressBytes();
        var text = new StringBuilder();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            text.Append($"{bytes[i] & 0xF:x}.{bytes[i] >> 4:x}.");
        }

        return text + zone;
    }

    /// <summary>Sets a header field (big-endian 16 bits at <paramref name="offset"/>) on a copy.</summary>
    public static byte[] With(byte[] packet, int offset, ushort value)
    {
        var copy = (byte[])packet.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(offset), value);
        return copy;
    }
}
