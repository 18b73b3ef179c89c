using System.Net.Sockets;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol.Subjects;
using static KarmaKit.Collector.Tests.Dns.DnsPackets;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

/// <summary>AXFR and IXFR against the server in the collector host, over real loopback sockets.</summary>
public class ZoneTransferServerTests : TempDirectory
{
    private const string Allow = "--Collector:Dns:Transfer:Allow=127.0.0.0/8";
    private const string Soa = "bl.karmakit.test. 6 ns1.karmakit.test. hostmaster.karmakit.test. 2026112701 3600 600 604800 60";

    [Fact]
    public async Task Tcp_AxfrFromAllowedClient_WholeZoneSoaFirstAndLast()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);

        await client.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeAxfr, id: 77));
        var sut = await client.ReadTransferAsync();

        var records = TransferTestZones.Records(sut);
        Assert.Equal(Soa, records[0]);
        Assert.Equal(Soa, records[^1]);
        Assert.Equal("bl.karmakit.test. 2 ns1.karmakit.test.", records[1]);
        Assert.Contains("99.2.0.192.bl.karmakit.test. 1 127.0.0.3", records);
        Assert.Contains("99.2.0.192.bl.karmakit.test. 16 virus Eicar - see http://127.0.0.1:8440/lookup/192.0.2.99", records);
        Assert.Contains($"{Nibbles("2001:db8:1:2:3:4:567:89ab", DnsTestZones.Bl)}. 1 127.0.0.2", records);
        Assert.Equal(1 + 1 + 4 + 2 + 2 + 1, records.Count); // SOA, NS, A+TXT of 127.0.0.2 under two names, of each entry, SOA
        var first = DnsAnswer.Parse(sut[0]);
        Assert.Equal((77, true, 0), ((int)first.Id, first.Aa, first.Rcode));
    }

    [Fact]
    public async Task Tcp_AxfrOfTheAllowZone_ItsOwnContent()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);

        await client.SendAsync(Query("WL.KarmaKit.test", DnsWire.TypeAxfr));
        var records = TransferTestZones.Records(await client.ReadTransferAsync());

        Assert.Contains("7.100.51.198.wl.karmakit.test. 16 white - see http://127.0.0.1:8440/lookup/198.51.100.7", records);
        Assert.DoesNotContain(records, r => r.Contains("192.0.2.99", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("--Collector:Dns:Transfer:Allow=192.0.2.0/24, 2001:db8::/32")]
    public async Task Tcp_AxfrFromClientNotAllowed_Refused(string allow)
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, allow.Length > 0 ? [allow] : []);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);

        await client.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeAxfr, id: 5));
        var sut = DnsAnswer.Parse(Assert.Single(await client.ReadTransferAsync()));

        Assert.Equal((5, 5, 0), ((int)sut.Id, sut.Rcode, sut.Answers.Count));
        Assert.Equal((DnsTestZones.Bl + ".", DnsWire.TypeAxfr), (sut.Questions[0].Name, sut.Questions[0].Type));
    }

    [Theory]
    [InlineData("2.0.0.127.bl.karmakit.test")]
    [InlineData("karmakit.test")]
    [InlineData("example.org")]
    public async Task Tcp_AxfrOfANameThatIsNoZone_Refused(string name)
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);

        await client.SendAsync(Query(name, DnsWire.TypeAxfr));

        Assert.Equal(5, DnsAnswer.Parse(await client.ReadMessageAsync()).Rcode);
    }

    [Fact]
    public async Task Tcp_IxfrFromAnOlderSerial_WholeZone()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);

        await client.SendAsync(TransferClient.Ixfr(DnsTestZones.Bl, 2026112700));
        var records = TransferTestZones.Records(await client.ReadTransferAsync());

        Assert.Equal((Soa, Soa, 11), (records[0], records[^1], records.Count));
    }

    [Fact]
    public async Task Tcp_IxfrFromASerialSentBefore_TheDifference()
    {
        var listing = DnsTestZones.Listing();
        await using var server = await DnsTestServer.StartAsync(Dir, listing, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);
        await client.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeAxfr));
        await client.ReadTransferAsync();
        listing.Replace(DnsList.Allow, []); // the blocklist's serial moves on (one serial for both lists here), its content does not

        await client.SendAsync(TransferClient.Ixfr(DnsTestZones.Bl, 2026112701));
        var records = TransferTestZones.Records(await client.ReadTransferAsync());

        var newer = Soa.Replace("2026112701", "2026112702", StringComparison.Ordinal);
        Assert.Equal([newer, Soa, newer, newer], records); // no entry removed, none added
    }

    [Theory]
    [InlineData(2026112701u)]
    [InlineData(2026112702u)]
    public async Task Tcp_IxfrFromTheCurrentOrANewerSerial_OneSoa(uint serial)
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);

        await client.SendAsync(TransferClient.Ixfr(DnsTestZones.Bl, serial));

        Assert.Equal([Soa], TransferTestZones.Records(await client.ReadTransferAsync()));
    }

    [Fact]
    public async Task Tcp_IxfrWithoutTheClientSoa_FormErr()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);

        await client.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeIxfr));

        Assert.Equal(1, DnsAnswer.Parse(await client.ReadMessageAsync()).Rcode);
    }

    [Fact]
    public async Task Tcp_QueryAfterATransfer_AnsweredOnTheSameConnection()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var client = await TransferClient.ConnectAsync(server.EndPoint!);
        await client.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeAxfr));
        await client.ReadTransferAsync();

        await client.SendAsync(Query("2.0.0.127.bl.karmakit.test", A, id: 9));
        var sut = DnsAnswer.Parse(await client.ReadMessageAsync());

        Assert.Equal((9, "127.0.0.2"), ((int)sut.Id, Assert.Single(sut.Answers).Text));
    }

    [Theory]
    [InlineData(DnsWire.TypeAxfr)]
    [InlineData(DnsWire.TypeIxfr)]
    public async Task Udp_TransferFromAllowedClient_Refused(ushort type)
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, Allow);
        using var udp = new UdpClient();
        udp.Connect(server.EndPoint!);

        await udp.SendAsync(type == DnsWire.TypeIxfr ? TransferClient.Ixfr(DnsTestZones.Bl, 1, id: 31) : Query(DnsTestZones.Bl, type, id: 31));
        var sut = DnsAnswer.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);

        Assert.Equal((31, 5, 0), ((int)sut.Id, sut.Rcode, sut.Answers.Count));
    }

    [Fact]
    public async Task Tcp_DuringASlowTransfer_OthersServedAFurtherTransferServFailAndAStoppedReaderDropped()
    {
        var entries = Enumerable.Range(0, 200_000).Select(i => new KeyValuePair<IpSubject, ListingAnswer>(IpSubject.FromIPv4(0x0B00_0000u + (uint)i), ListingAnswer.Listed));
        var listing = new StaticListing(entries, [], 5);
        await using var server = await DnsTestServer.StartAsync(Dir, listing, null, Allow, "--Collector:Dns:Transfer:MaxConcurrent=1", "--Collector:Dns:TcpIdleTimeout=00:00:02");
        using var stalled = await TransferClient.ConnectAsync(server.EndPoint!, receiveBuffer: 65536); // the zone is 21 MB
        await stalled.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeAxfr));
        await stalled.ReadMessageAsync(); // the transfer has its slot; the secondary goes on reading, slowly
        using var slow = new CancellationTokenSource();
        var slowReader = Task.Run(async () =>
        {
            while (!slow.IsCancellationRequested)
            {
                await stalled.ReadMessageAsync();
                await Task.Delay(10, CancellationToken.None); // 64 KiB per 10 ms: the 21 MB take over 3 s, more than the 2 s wait for a slot
            }
        });

        using var other = await TransferClient.ConnectAsync(server.EndPoint!);
        await other.SendAsync(Query("2.0.0.127.bl.karmakit.test", A, id: 3));
        var query = DnsAnswer.Parse(await other.ReadMessageAsync());
        using var udp = new UdpClient();
        udp.Connect(server.EndPoint!);
        await udp.SendAsync(Query("1.0.0.11.bl.karmakit.test", A, id: 4));
        var udpAnswer = DnsAnswer.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);
        await other.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeAxfr, id: 6));
        var busy = DnsAnswer.Parse(await other.ReadMessageAsync());

        Assert.Equal((3, "127.0.0.2"), ((int)query.Id, Assert.Single(query.Answers).Text));
        Assert.Equal((4, "127.0.0.2"), ((int)udpAnswer.Id, Assert.Single(udpAnswer.Answers).Text));
        Assert.Equal((6, 2), ((int)busy.Id, busy.Rcode)); // SERVFAIL: the one slot is taken
        await slow.CancelAsync();
        await slowReader; // now this secondary reads no more
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            while (true)
            {
                await stalled.ReadMessageAsync(); // what the kernel buffered, then the end: dropped after the idle timeout
            }
        });
        using var next = await TransferClient.ConnectAsync(server.EndPoint!); // the other connection has idled out meanwhile
        await next.SendAsync(Query(DnsTestZones.Bl, DnsWire.TypeAxfr, id: 7));
        Assert.Equal(0, DnsAnswer.Parse(await next.ReadMessageAsync()).Rcode); // the slot is free again
    }
}
