using System.Net.Sockets;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Tests.Dns;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol.Batches;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static KarmaKit.Collector.Tests.Dns.DnsPackets;

namespace KarmaKit.Collector.Tests.Listing;

/// <summary>The engine in the real collector: reports over HTTP, answers over UDP from the built-in DNS server.</summary>
public class ListingEngineTests : TempDirectory
{
    private const int NxDomain = 3;
    private static readonly DateTime Start = new(2026, 11, 26, 17, 20, 0, DateTimeKind.Utc);
    private static int s_batch;

    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task Post_BlackReport_AnswersInDnsRightAfterThe200()
    {
        await using var collector = await StartAsync();
        var serial = Engine(collector).Serial(DnsList.Block);
        Assert.Equal(NxDomain, (await AskAsync(collector, "2.2.0.192.bl.karmakit.test", A)).Rcode);

        await PostAsync(collector, Report("192.0.2.2", "black", "virus Eicar-Test-Signature"));

        var a = await AskAsync(collector, "2.2.0.192.bl.karmakit.test", A);
        Assert.Equal("127.0.0.3", Assert.Single(a.Answers).Text);
        var txt = await AskAsync(collector, "2.2.0.192.bl.karmakit.test", Txt);
        Assert.Contains("virus Eicar-Test-Signature", Assert.Single(txt.Answers).Text, StringComparison.Ordinal);
        Assert.True(Engine(collector).Serial(DnsList.Block) > serial);
    }

    [Fact]
    public async Task Post_DocumentationRangeWithoutSwitch_NotListed()
    {
        await using var collector = await StartAsync(listDocumentation: false);

        await PostAsync(collector, Report("192.0.2.2", "black", "spam"));

        Assert.Equal(NxDomain, (await AskAsync(collector, "2.2.0.192.bl.karmakit.test", A)).Rcode);
        Assert.Equal(ListingVerdict.SpecialPurpose, Engine(collector).Explain(IpSubject.Parse("192.0.2.2")).Block.Verdict);
        Assert.Single(collector.LogLines()); // still logged
    }

    [Fact]
    public async Task Post_WhiteReport_DelistsAndAllowlists()
    {
        await using var collector = await StartAsync();
        await PostAsync(collector, Report("192.0.2.3", "black", "spam scored 12"));
        Assert.Equal("127.0.0.4", Assert.Single((await AskAsync(collector, "3.2.0.192.bl.karmakit.test", A)).Answers).Text);

        await PostAsync(collector, Report("192.0.2.3", "white", "customer relay"), TestCollector.Token2, TestCollector.Reporter2);

        Assert.Equal(NxDomain, (await AskAsync(collector, "3.2.0.192.bl.karmakit.test", A)).Rcode);
        Assert.Equal("127.0.0.2", Assert.Single((await AskAsync(collector, "3.2.0.192.wl.karmakit.test", A)).Answers).Text);
        Assert.Equal(ListingVerdict.WhiteReport, Engine(collector).Explain(IpSubject.Parse("192.0.2.3")).Block.Verdict);
    }

    [Fact]
    public async Task Post_Ipv6Address_WholeSlash64Listed()
    {
        await using var collector = await StartAsync();

        await PostAsync(collector, Report("2001:db8:1:2::5", "black", "auth brute force"));

        Assert.Equal("127.0.0.5", Assert.Single((await AskAsync(collector, Nibbles("2001:db8:1:2:ffff::99", "bl.karmakit.test"), A)).Answers).Text);
        Assert.Equal(NxDomain, (await AskAsync(collector, Nibbles("2001:db8:1:3::5", "bl.karmakit.test"), A)).Rcode);
    }

    [Fact]
    public async Task Post_ThresholdTwo_ListedOnSecondReporter()
    {
        await using var collector = await StartAsync(settings: "--Collector:Policy:Threshold=2");

        await PostAsync(collector, Report("198.51.100.7", "black", "spam"));
        Assert.Equal(NxDomain, (await AskAsync(collector, "7.100.51.198.bl.karmakit.test", A)).Rcode);
        Assert.Equal("below threshold: 1/2 weighted reporters in the window", Engine(collector).Explain(IpSubject.Parse("198.51.100.7")).Block.Why());

        await PostAsync(collector, Report("198.51.100.7", "black", "spam"), TestCollector.Token2, TestCollector.Reporter2);

        Assert.Equal("127.0.0.4", Assert.Single((await AskAsync(collector, "7.100.51.198.bl.karmakit.test", A)).Answers).Text);
    }

    [Fact]
    public async Task Review_AfterDelistAfter_Delisted()
    {
        await using var collector = await StartAsync();
        await PostAsync(collector, Report("203.0.113.9", "black", "virus X"));
        var engine = Engine(collector);
        var serial = engine.Serial(DnsList.Block);

        _time.Advance(TimeSpan.FromHours(47));
        Assert.True(engine.TryGet(DnsList.Block, IpSubject.Parse("203.0.113.9"), out _));

        _time.Advance(TimeSpan.FromHours(2));

        Assert.False(engine.TryGet(DnsList.Block, IpSubject.Parse("203.0.113.9"), out _));
        Assert.Equal(NxDomain, (await AskAsync(collector, "9.113.0.203.bl.karmakit.test", A)).Rcode);
        Assert.Equal(serial + 1, engine.Serial(DnsList.Block));
        Assert.Equal(0, engine.Count(DnsList.Block));
    }

    [Fact]
    public async Task Review_WhiteWindowOverTimerLimit_AllowlistExpiresBlackReturnsNot()
    {
        await using var collector = await StartAsync(settings: ["--Collector:Policy:WhiteWindow=60.00:00:00", "--Collector:Policy:DelistAfter=90.00:00:00"]);
        await PostAsync(collector, Report("192.0.2.40", "black", "spam"));
        await PostAsync(collector, Report("192.0.2.40", "white", "customer"), TestCollector.Token2, TestCollector.Reporter2);
        var engine = Engine(collector);
        Assert.True(engine.TryGet(DnsList.Allow, IpSubject.Parse("192.0.2.40"), out _));

        for (var day = 0; day < 61; day++)
        {
            _time.Advance(TimeSpan.FromDays(1));
        }

        Assert.False(engine.TryGet(DnsList.Allow, IpSubject.Parse("192.0.2.40"), out _));
        Assert.Equal(ListingVerdict.BelowThreshold, engine.Explain(IpSubject.Parse("192.0.2.40")).Block.Verdict); // its reporter left the 7-day window
        Assert.False(engine.TryGet(DnsList.Block, IpSubject.Parse("192.0.2.40"), out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Restart_ReplayFromLog_SameListing(bool fullReplay)
    {
        string[] before;
        await using (var collector = await StartAsync())
        {
            await PostAsync(collector, Report("192.0.2.10", "black", "virus A"), Report("192.0.2.11", "black", "spam B"), Report("2001:db8:5::1", "black", "dictionary C"), Report("2001:db8:5::2", "black", "dictionary C"));
            await PostAsync(collector, Report("192.0.2.11", "white", "ok"), TestCollector.Token2, TestCollector.Reporter2);
            before = Entries(Engine(collector));
        }

        if (fullReplay)
        {
            File.Delete(Path.Combine(Dir, "data", "state.snapshot"));
        }

        await using (var collector = await StartAsync())
        {
            Assert.Equal(before, Entries(Engine(collector)));
            Assert.Equal(3, before.Length);
            Assert.Equal((2, 1), (Engine(collector).Count(DnsList.Block), Engine(collector).Count(DnsList.Allow))); // one /64 for two addresses
        }
    }

    [Fact]
    public async Task DailyCap_ReporterOverCap_NewSubjectsNotCounted()
    {
        await using var collector = await StartAsync(settings: $"--Collector:Policy:Reporters:{TestCollector.Reporter1}:DailyCap=2");

        await PostAsync(collector, Report("192.0.2.21", "black", "spam"), Report("192.0.2.22", "black", "spam"), Report("192.0.2.23", "black", "spam"));

        var engine = Engine(collector);
        Assert.Equal(2, engine.Count(DnsList.Block));
        Assert.EndsWith("(1 over their daily cap)", engine.Explain(IpSubject.Parse("192.0.2.23")).Block.Why(), StringComparison.Ordinal);
    }

    private static string[] Entries(ListingEngine engine) =>
        [.. new[] { DnsList.Block, DnsList.Allow }.SelectMany(list => engine.Index(list).Entries().Select(e => $"{list} {e.Key} {e.Value.Code:x} {e.Value.Reason}")).Order(StringComparer.Ordinal)];

    private static ListingEngine Engine(TestCollector collector) => collector.Services.GetRequiredService<ListingEngine>();

    private Task<TestCollector> StartAsync(bool listDocumentation = true, params string[] settings) =>
        TestCollector.StartAsync(Dir, _time, [$"--Collector:Policy:ListDocumentationRanges={listDocumentation}", .. settings]);

    private BatchReport Report(string subject, string verb, string reason) => new()
    {
        Verb = verb,
        Subject = subject,
        Reason = reason,
        First = _time.GetUtcNow().UtcDateTime.AddMinutes(-1),
        Last = _time.GetUtcNow().UtcDateTime,
        Count = 1,
    };

    private static async Task PostAsync(TestCollector collector, params BatchReport[] reports) =>
        await PostAsync(collector, reports[0], TestCollector.Token1, TestCollector.Reporter1, reports[1..]);

    private static async Task PostAsync(TestCollector collector, BatchReport report, string token, string reporter, params BatchReport[] more)
    {
        var batch = new ReportBatch { Reporter = reporter, Batch = $"b-{Interlocked.Increment(ref s_batch)}", Reports = [report, .. more] };
        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json(batch), token));
    }

    private static async Task<DnsAnswer> AskAsync(TestCollector collector, string name, ushort type)
    {
        using var udp = new UdpClient();
        udp.Connect(collector.Services.GetRequiredService<DnsServerService>().LocalEndPoint!);
        var id = (ushort)Random.Shared.Next(1, 65535);
        await udp.SendAsync(Query(name, type, id));
        while (true)
        {
            var answer = DnsAnswer.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);
            if (answer.Id == id)
            {
                return answer;
            }
        }
    }
}
