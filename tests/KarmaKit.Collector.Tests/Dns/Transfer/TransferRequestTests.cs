using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Dns.Transfer;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

/// <summary>The transfer request reader, which sees every TCP frame before the responder does.</summary>
public class TransferRequestTests
{
    [Fact]
    public void Read_Axfr_Axfr()
    {
        var query = DnsPackets.Query(DnsTestZones.Bl, DnsWire.TypeAxfr, id: 99);

        Assert.Equal(TransferRequestKind.Axfr, TransferRequest.Read(query, out var sut));
        Assert.Equal((99, query.Length, (uint?)null), (sut.Id, sut.QuestionEnd, sut.ClientSerial));
    }

    [Fact]
    public void Read_Ixfr_ClientSerial()
    {
        Assert.Equal(TransferRequestKind.Ixfr, TransferRequest.Read(TransferClient.Ixfr(DnsTestZones.Bl, 0xDEADBEEF), out var sut));
        Assert.Equal(0xDEADBEEFu, sut.ClientSerial);
    }

    [Theory]
    [InlineData(DnsPackets.A)]
    [InlineData(DnsPackets.Soa)]
    [InlineData(DnsPackets.Any)]
    public void Read_OrdinaryQuery_None(ushort type) =>
        Assert.Equal(TransferRequestKind.None, TransferRequest.Read(DnsPackets.Query(DnsTestZones.Bl, type), out _));

    [Fact]
    public void Read_IxfrCutAnywhereInItsSoa_MalformedNeverThrows()
    {
        var ixfr = TransferClient.Ixfr(DnsTestZones.Bl, 7);
        var question = DnsPackets.Query(DnsTestZones.Bl, DnsWire.TypeIxfr).Length;

        for (var length = 0; length < ixfr.Length; length++)
        {
            var kind = TransferRequest.Read(ixfr.AsSpan(0, length), out _);

            Assert.Equal(length < question ? TransferRequestKind.None : TransferRequestKind.Malformed, kind);
        }
    }

    [Fact]
    public void Read_RandomMutations_NeverThrows()
    {
        var random = new Random(5782);
        byte[][] seeds = [TransferClient.Ixfr(DnsTestZones.Bl, 7), DnsPackets.Query(DnsTestZones.Wl, DnsWire.TypeAxfr)];
        for (var i = 0; i < 100_000; i++)
        {
            var packet = (byte[])seeds[i % 2].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
            }

            TransferRequest.Read(packet.AsSpan(0, random.Next(packet.Length + 1)), out _);
        }
    }

    [Fact]
    public void Respond_UdpQueryWithAnAuthorityRecordButNoIxfr_FormErr()
    {
        var ixfr = TransferClient.Ixfr(DnsTestZones.Bl, 7);
        var withA = DnsPackets.With(ixfr, 12 + DnsPackets.Name(DnsTestZones.Bl).Length, DnsPackets.A);

        Assert.Equal(1, DnsTestZones.Responder().Ask(withA).Rcode);
    }

    [Fact]
    public void Respond_UdpIxfrWithATruncatedSoa_FormErr()
    {
        var ixfr = TransferClient.Ixfr(DnsTestZones.Bl, 7);

        Assert.Equal(1, DnsTestZones.Responder().Ask(ixfr[..^3]).Rcode);
    }
}
