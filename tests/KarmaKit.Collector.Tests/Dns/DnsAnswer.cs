using System.Buffers.Binary;
using System.Text;

namespace KarmaKit.Collector.Tests.Dns;

/// <summary>
/// A response parsed independently of the server's code (names decompressed with a hop limit), so the tests check the
/// wire, not the writer against itself. Throws on anything malformed.
/// </summary>
internal sealed class DnsAnswer
{
    private DnsAnswer(byte[] bytes) => Bytes = bytes;

    public byte[] Bytes { get; }

    public ushort Id => BinaryPrimitives.ReadUInt16BigEndian(Bytes);

    public bool Qr => (Bytes[2] & 0x80) != 0;

    public int Opcode => (Bytes[2] >> 3) & 0xF;

    public bool Aa => (Bytes[2] & 0x04) != 0;

    public bool Tc => (Bytes[2] & 0x02) != 0;

    public bool Rd => (Bytes[2] & 0x01) != 0;

    public bool Ra => (Bytes[3] & 0x80) != 0;

    /// <summary>The full rcode, with the OPT's high bits.</summary>
    public int Rcode { get; private set; }

    public List<(string Name, ushort Type, ushort Class)> Questions { get; } = [];

    public List<Record> Answers { get; } = [];

    public List<Record> Authority { get; } = [];

    public List<Record> Additional { get; } = [];

    public Record? Opt => Additional.FirstOrDefault(r => r.Type == 41);

    public static DnsAnswer Parse(ReadOnlySpan<byte> bytes)
    {
        var answer = new DnsAnswer(bytes.ToArray());
        var b = answer.Bytes;
        if (b.Length < 12)
        {
            throw new FormatException("short header");
        }

        var pos = 12;
        var counts = Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(4 + (2 * i)))).ToArray();
        for (var i = 0; i < counts[0]; i++)
        {
            var name = ReadName(b, ref pos);
            answer.Questions.Add((name, U16(b, pos), U16(b, pos + 2)));
            pos += 4;
        }

        foreach (var (section, count) in new[] { (answer.Answers, counts[1]), (answer.Authority, counts[2]), (answer.Additional, counts[3]) })
        {
            for (var i = 0; i < count; i++)
            {
                section.Add(ReadRecord(b, ref pos));
            }
        }

        if (pos != b.Length)
        {
            throw new FormatException($"{b.Length - pos} trailing bytes");
        }

        answer.Rcode = (b[3] & 0xF) | (answer.Opt is { } opt ? (int)(opt.Ttl >> 24) << 4 : 0);
        return answer;
    }

    private static Record ReadRecord(byte[] b, ref int pos)
    {
        var name = ReadName(b, ref pos);
        var type = U16(b, pos);
        var rrClass = U16(b, pos + 2);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos + 4));
        var length = U16(b, pos + 8);
        pos += 10;
        var start = pos;
        var data = b.AsSpan(pos, length).ToArray();
        pos += length;
        var text = type switch
        {
            1 => $"{data[0]}.{data[1]}.{data[2]}.{data[3]}",
            2 => ReadNameAt(b, start),
            6 => SoaText(b, start),
            16 => Encoding.UTF8.GetString(data, 1, data[0]),
            _ => Convert.ToHexString(data),
        };
        return new Record(name, type, rrClass, ttl, data, text);
    }

    private static string SoaText(byte[] b, int pos)
    {
        var mname = ReadName(b, ref pos);
        var rname = ReadName(b, ref pos);
        var numbers = Enumerable.Range(0, 5).Select(i => BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos + (4 * i))));
        return $"{mname} {rname} {string.Join(' ', numbers)}";
    }

    private static string ReadNameAt(byte[] b, int pos) => ReadName(b, ref pos);

    private static string ReadName(byte[] b, ref int pos)
    {
        var labels = new List<string>();
        var at = pos;
        var jumped = false;
        for (var hops = 0; ; hops++)
        {
            if (hops > 128)
            {
                throw new FormatException("pointer loop");
            }

            var length = b[at];
            if (length == 0)
            {
                at++;
                break;
            }

            if ((length & 0xC0) == 0xC0)
            {
                var target = ((length & 0x3F) << 8) | b[at + 1];
                if (!jumped)
                {
                    pos = at + 2;
                }

                jumped = true;
                at = target;
                continue;
            }

            labels.Add(Encoding.ASCII.GetString(b, at + 1, length));
            at += length + 1;
        }

        if (!jumped)
        {
            pos = at;
        }

        return labels.Count == 0 ? "." : string.Join('.', labels) + ".";
    }

    private static ushort U16(byte[] b, int pos) => BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(pos));

    internal sealed record Record(string Name, ushort Type, ushort Class, uint Ttl, byte[] Data, string Text);
}
