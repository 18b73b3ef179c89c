namespace KarmaKit.Collector.Tests.Dns;

/// <summary>Whole responses compared byte for byte (DnsClient-style literal fixtures, offsets in the comments).</summary>
public class DnsResponderFixtureTests
{
    private static readonly byte[] QuestionListed =
    [
        /* 12 */ 1, (byte)'2', 1, (byte)'0', 1, (byte)'0', 3, (byte)'1', (byte)'2', (byte)'7',
        /* 22 */ 2, (byte)'b', (byte)'l',
        /* 25 */ 8, (byte)'k', (byte)'a', (byte)'r', (byte)'m', (byte)'a', (byte)'k', (byte)'i', (byte)'t',
        /* 34 */ 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0,
        /* 40 */ 0, 1, 0, 1,
    ];

    [Fact]
    public void Respond_ListedA_AnswersTheCodeWithCompressedOwner()
    {
        byte[] query = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, .. QuestionListed];
        byte[] expected =
        [
            /* 0 */ 0x12, 0x34, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0, // id, QR AA RD, NOERROR, 1 question, 1 answer
            .. QuestionListed,
            /* 44 */ 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x01, 0x2C, // owner -> 12, A IN, TTL 300
            /* 54 */ 0, 4, 127, 0, 0, 2,
        ];

        var sut = DnsTestZones.Responder();

        Assert.Equal(expected, sut.RespondBytes(query));
    }

    [Fact]
    public void Respond_Unlisted_NxDomainWithSoaCompressedAgainstTheQuestion()
    {
        byte[] question = [.. QuestionListed];
        question[1] = (byte)'1'; // 1.0.0.127: the RFC 5782 "never listed" entry
        byte[] query = [0xAB, 0xCD, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, .. question];
        byte[] expected =
        [
            /* 0 */ 0xAB, 0xCD, 0x84, 0x03, 0, 1, 0, 0, 0, 1, 0, 0, // QR AA, no RD, NXDOMAIN, 1 authority
            .. question,
            /* 44 */ 0xC0, 0x16, 0, 6, 0, 1, 0, 0, 0, 60, 0, 39, // owner -> 22 (bl.karmakit.test), SOA IN, TTL 60, 39 bytes
            /* 56 */ 3, (byte)'n', (byte)'s', (byte)'1', 0xC0, 0x19, // ns1 + -> 25 (karmakit.test)
            /* 62 */ 10, .. "hostmaster"u8, 0xC0, 0x19, // hostmaster + -> 25
            /* 75 */ 0x78, 0xC4, 0x06, 0xBD, // serial 2026112701
            /* 79 */ 0, 0, 0x0E, 0x10, 0, 0, 0x02, 0x58, 0, 0x09, 0x3A, 0x80, 0, 0, 0, 60, // refresh 3600, retry 600, expire 604800, minimum 60
        ];

        var sut = DnsTestZones.Responder();

        Assert.Equal(expected, sut.RespondBytes(query));
    }

    [Fact]
    public void Respond_EdnsQuery_EchoesOptWithOurPayloadSize()
    {
        byte[] query = [0x00, 0x01, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1, .. QuestionListed, 0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0];
        byte[] expected =
        [
            /* 0 */ 0x00, 0x01, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 1,
            .. QuestionListed,
            /* 44 */ 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x01, 0x2C, 0, 4, 127, 0, 0, 2,
            /* 60 */ 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0, // OPT: root, size 1232, rcode 0, version 0, DO cleared, no options
        ];

        var sut = DnsTestZones.Responder();

        Assert.Equal(expected, sut.RespondBytes(query));
    }
}
