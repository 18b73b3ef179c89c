using static KarmaKit.Collector.Tests.Dns.DnsPackets;

namespace KarmaKit.Collector.Tests.Dns;

/// <summary>
/// Packets no server should choke on: each must give a silent drop or a FORMERR/NOTIMP/REFUSED answer that parses, and
/// a fixed-seed fuzz loop mutates valid queries thousands of times with the same rule.
/// </summary>
public class MalformedPacketTests
{
    private static readonly byte[] Valid = Query("2.0.0.127.bl.karmakit.test", A, edns: 1232);

    public static TheoryData<string, byte[], int> Corpus() => new()
    {
        { "empty", [], -1 },
        { "11-byte header", [0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0], -1 },
        { "header only, QDCOUNT 1", [0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0], 1 },
        { "header only, QDCOUNT 0", [0x12, 0x34, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1 },
        { "QR set (a response)", [0x12, 0x34, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1], -1 },
        { "name without its root byte", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, (byte)'b', (byte)'l'], 1 },
        { "label runs past the end", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, (byte)'b', (byte)'l', 0], 1 },
        { "no type and class", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1], 1 },
        { "label of 64 bytes", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, .. new byte[64], 0, 0, 1, 0, 1], 1 },
        { "extended label type 0x40", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 0, 1, 0, 1], 1 },
        { "name of 256 bytes", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, .. LongName(256), 0, 1, 0, 1], 1 },
        { "pointer to itself", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1], 1 },
        { "pointer loop of two", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0xC0, 12, 0, 1, 0, 1], 1 },
        { "pointer past the end", [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 1, 0, 1], 1 },
        { "QDCOUNT 65535", With(Query("bl.karmakit.test", A), 4, 0xFFFF), 1 },
        { "ANCOUNT 65535", With(Query("bl.karmakit.test", A), 6, 0xFFFF), 1 },
        { "NSCOUNT 1", With(Query("bl.karmakit.test", A), 8, 1), 1 },
        { "ARCOUNT 65535", With(Query("bl.karmakit.test", A), 10, 0xFFFF), 1 },
        { "ARCOUNT 2, one OPT", With(Valid, 10, 2), 1 },
        { "two OPT records", [.. With(Valid, 10, 2), 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0], 1 },
        { "OPT not owned by the root", [.. Query("bl.karmakit.test", A)[..^0], 1, (byte)'x', 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0], 1 },
        { "OPT RDLENGTH past the end", [.. Valid[..^2], 0, 9], 1 },
        { "OPT option past its RDATA", [.. With(Valid, Valid.Length - 2, 4), 0, 10, 0, 8], 1 },
        { "trailing garbage", [.. Query("bl.karmakit.test", A), 0xDE, 0xAD], 1 },
        { "opcode 15", [0x12, 0x34, 0x78, 0, 0, 1, 0, 0, 0, 0, 0, 0], 4 },
        { "UPDATE opcode", [.. With(Query("bl.karmakit.test", Soa), 2, 0x2800)], 4 },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Respond_MalformedPacket_DropsOrAnswersAnError(string name, byte[] packet, int rcode)
    {
        var sut = DnsTestZones.Responder();

        var bytes = sut.RespondBytes(packet);

        if (rcode < 0)
        {
            Assert.True(bytes.Length == 0, name);
            return;
        }

        var answer = DnsAnswer.Parse(bytes);
        Assert.Equal(rcode, answer.Rcode);
        Assert.True(answer.Qr);
        Assert.Equal(packet[0] << 8 | packet[1], answer.Id);
        Assert.Empty(answer.Answers);
    }

    [Fact]
    public void Respond_ARecordNamedByAPointer_IsSkippedNotFollowed()
    {
        // A TSIG-like additional record whose owner points back at the question name: skipped, the query answered.
        byte[] query = [.. With(Query("2.0.0.127.bl.karmakit.test", A), 10, 1), 0xC0, 12, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0];

        var answer = DnsTestZones.Responder().Ask(query);

        Assert.Equal(0, answer.Rcode);
        Assert.Single(answer.Answers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Respond_FuzzedQueries_NeverThrowAndAlwaysParse(bool tcp)
    {
        var sut = DnsTestZones.Responder();
        var random = new Random(5782);
        byte[][] seeds =
        [
            Valid,
            Query("2.0.0.127.bl.karmakit.test", Txt),
            Query(Nibbles("::ffff:7f00:2", "wl.karmakit.test"), A, edns: 4096),
            Query("bl.karmakit.test", Ns),
            Query("127.bl.karmakit.test", Any, edns: 512),
            [0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0xC0, 12, 0, 1, 0, 1, 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0],
        ];
        var buffer = new byte[65535];
        var answered = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var packet = Mutate(random, seeds[random.Next(seeds.Length)]);
            var length = sut.Respond(packet, buffer, tcp);
            if (length == 0)
            {
                continue;
            }

            answered++;
            var answer = DnsAnswer.Parse(buffer.AsSpan(0, length));
            Assert.True(answer.Qr);
            Assert.True(tcp || length <= 1232, $"{length} bytes over UDP");
            Assert.True(answer.Questions.Count <= 1);
        }

        Assert.True(answered > 10_000, $"only {answered} answered");
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var packet = new List<byte>(seed);
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(6))
            {
                case 0 when packet.Count > 0:
                    packet[random.Next(packet.Count)] = (byte)random.Next(256);
                    break;
                case 1 when packet.Count > 0:
                    packet.RemoveRange(random.Next(packet.Count), 1);
                    break;
                case 2:
                    packet.Insert(random.Next(packet.Count + 1), (byte)random.Next(256));
                    break;
                case 3 when packet.Count > 0:
                    var cut = random.Next(packet.Count);
                    packet.RemoveRange(cut, packet.Count - cut); // truncate
                    break;
                case 4 when packet.Count > 12:
                    packet[4 + random.Next(8)] = (byte)(random.Next(2) == 0 ? 0xFF : random.Next(4));
                    break;
                case 5 when packet.Count > 13:
                    packet[12 + random.Next(packet.Count - 12)] = random.Next(2) == 0 ? (byte)0xC0 : (byte)63;
                    break;
            }
        }

        if (packet.Count > 2)
        {
            packet[2] &= 0x7F; // keep most of them queries, so they reach the parser's deeper paths
        }

        return [.. packet];
    }

    private static byte[] LongName(int length)
    {
        var bytes = new List<byte>();
        while (bytes.Count + 64 < length)
        {
            bytes.Add(63);
            bytes.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        var last = length - bytes.Count - 2;
        bytes.Add((byte)last);
        bytes.AddRange(Enumerable.Repeat((byte)'a', last));
        bytes.Add(0);
        return [.. bytes];
    }
}
