using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol.Batches;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static KarmaKit.Collector.Tests.Dns.DnsPackets;

namespace KarmaKit.Collector.Tests.Admin;

/// <summary>
/// Operator actions end to end in process: over the admin HTTP endpoints, through karma.log, into the DNS answer
/// before the request returns, through their ends on the engine's clock, and through a restart.
/// </summary>
public class OperatorListingTests : TempDirectory
{
    private static readonly DateTime Start = new(2026, 11, 27, 6, 0, 0, DateTimeKind.Utc);
    private static int s_batch;
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task Allow_CidrOverListedAddress_OffTheBlocklistBeforeTheAnswer()
    {
        await using var collector = await StartAsync();
        await ReportAsync(collector, "192.0.2.10");
        Assert.Equal("127.0.0.3", await AdminTestClient.AAsync(collector, "10.2.0.192.bl.karmakit.test"));

        await AdminTestClient.ChangeAsync(collector, "allow", new { address = "192.0.2.0/24", reason = "customer relay", @for = "1h" });

        Assert.Null(await AdminTestClient.AAsync(collector, "10.2.0.192.bl.karmakit.test"));
        await ReportAsync(collector, "192.0.2.11"); // a new report inside the range does not list either
        Assert.Null(await AdminTestClient.AAsync(collector, "11.2.0.192.bl.karmakit.test"));
        Assert.Null(await AdminTestClient.AAsync(collector, "10.2.0.192.wl.karmakit.test")); // a network is not published on the allowlist
        Assert.StartsWith("allowed by operator: 192.0.2.0/24 until", Engine(collector).Explain(IpSubject.Parse("192.0.2.10")).Block.Why(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_Expires_RelistedWhileReportsFresh()
    {
        await using var collector = await StartAsync();
        await ReportAsync(collector, "192.0.2.10");
        await AdminTestClient.ChangeAsync(collector, "allow", new { address = "192.0.2.0/24", reason = "customer relay", @for = "1h" });
        Assert.Null(await AdminTestClient.AAsync(collector, "10.2.0.192.bl.karmakit.test"));

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2));

        Assert.Equal("127.0.0.3", await AdminTestClient.AAsync(collector, "10.2.0.192.bl.karmakit.test"));
    }

    [Fact]
    public async Task Allow_SingleAddress_OnTheAllowlistUntilUnallow()
    {
        await using var collector = await StartAsync();

        await AdminTestClient.ChangeAsync(collector, "allow", new { address = "192.0.2.20", reason = "partner mx" });
        Assert.Equal("127.0.0.2", await AdminTestClient.AAsync(collector, "20.2.0.192.wl.karmakit.test"));

        await AdminTestClient.ChangeAsync(collector, "allow", new { address = "192.0.2.20", remove = true });
        Assert.Null(await AdminTestClient.AAsync(collector, "20.2.0.192.wl.karmakit.test"));
        Assert.EndsWith("operator:admin unallow 192.0.2.20", collector.LogLines()[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delist_ThenNewReport_ListedAgain()
    {
        await using var collector = await StartAsync();
        await ReportAsync(collector, "192.0.2.30");

        await AdminTestClient.ChangeAsync(collector, "delist", new { address = "192.0.2.30", reason = "false positive" });
        Assert.Null(await AdminTestClient.AAsync(collector, "30.2.0.192.bl.karmakit.test"));

        _time.Advance(TimeSpan.FromSeconds(5));
        await ReportAsync(collector, "192.0.2.30");
        Assert.Equal("127.0.0.3", await AdminTestClient.AAsync(collector, "30.2.0.192.bl.karmakit.test"));
    }

    [Fact]
    public async Task Delist_ForAnHour_NewReportsDoNotListUntilThen()
    {
        await using var collector = await StartAsync();
        await ReportAsync(collector, "192.0.2.31");
        await AdminTestClient.ChangeAsync(collector, "delist", new { address = "192.0.2.31", @for = "1h" });

        _time.Advance(TimeSpan.FromMinutes(10));
        await ReportAsync(collector, "192.0.2.31");
        Assert.Null(await AdminTestClient.AAsync(collector, "31.2.0.192.bl.karmakit.test"));

        _time.Advance(TimeSpan.FromMinutes(50) + TimeSpan.FromSeconds(2));
        Assert.Equal("127.0.0.3", await AdminTestClient.AAsync(collector, "31.2.0.192.bl.karmakit.test"));
    }

    [Fact]
    public async Task Allow_Ipv6AddressInsideAListedSlash64_WholeSlash64Off()
    {
        await using var collector = await StartAsync();
        await ReportAsync(collector, "2001:db8:1:2::5");
        Assert.Equal("127.0.0.3", await AdminTestClient.AAsync(collector, Nibbles("2001:db8:1:2::99", "bl.karmakit.test")));

        await AdminTestClient.ChangeAsync(collector, "allow", new { address = "2001:db8:1:2::25", reason = "our relay" });

        Assert.Null(await AdminTestClient.AAsync(collector, Nibbles("2001:db8:1:2::99", "bl.karmakit.test")));
        Assert.Equal("127.0.0.2", await AdminTestClient.AAsync(collector, Nibbles("2001:db8:1:2::25", "wl.karmakit.test")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_SnapshotAndTailOrFullReplay_SameLists(bool fullReplay)
    {
        string[] before;
        string[] whys;
        var snapshot = Path.Combine(Dir, "data", StateSnapshot.FileName);
        await using (var collector = await StartAsync())
        {
            await ReportAsync(collector, "192.0.2.40", "192.0.2.41", "198.51.100.7", "2001:db8:9::1");
            await AdminTestClient.ChangeAsync(collector, "allow", new { address = "192.0.2.0/24", reason = "customer relay", @for = "7d" });
            await AdminTestClient.ChangeAsync(collector, "allow", new { address = "203.0.113.5", reason = "partner" });
            Assert.True(collector.State.SaveSnapshot() > 0);
            File.Copy(snapshot, snapshot + ".mid");
            await AdminTestClient.ChangeAsync(collector, "delist", new { address = "198.51.100.7", @for = "1d" });
            await AdminTestClient.ChangeAsync(collector, "allow", new { address = "203.0.113.6", reason = "tail entry" });
            await AdminTestClient.ChangeAsync(collector, "unallow", new { address = "203.0.113.5" });
            before = Entries(Engine(collector));
            whys = Whys(Engine(collector));
        }

        // The stop wrote a snapshot of everything; put back the one from the middle so the tail is replayed.
        File.Move(snapshot + ".mid", snapshot, overwrite: true);
        if (fullReplay)
        {
            File.Delete(snapshot);
        }

        await using var restarted = await StartAsync();

        Assert.Equal(!fullReplay, restarted.State.StartedFromSnapshot);
        Assert.Equal(before, Entries(Engine(restarted)));
        Assert.Equal(whys, Whys(Engine(restarted)));
        Assert.Null(await AdminTestClient.AAsync(restarted, "7.100.51.198.bl.karmakit.test"));
        Assert.Null(await AdminTestClient.AAsync(restarted, "40.2.0.192.bl.karmakit.test"));
        Assert.Equal("127.0.0.2", await AdminTestClient.AAsync(restarted, "6.113.0.203.wl.karmakit.test"));
        Assert.Null(await AdminTestClient.AAsync(restarted, "5.113.0.203.wl.karmakit.test"));
    }

    [Fact]
    public async Task Restart_AfterTheSnapshotHeldAnEntry_EntryKept()
    {
        await using (var collector = await StartAsync())
        {
            await ReportAsync(collector, "192.0.2.50");
            await AdminTestClient.ChangeAsync(collector, "delist", new { address = "192.0.2.50" });
        }

        // The stop's snapshot holds the delist; the log after it is empty.
        await using var restarted = await StartAsync();

        Assert.True(restarted.State.StartedFromSnapshot);
        Assert.Equal(ListingVerdict.Delisted, Engine(restarted).Explain(IpSubject.Parse("192.0.2.50")).Block.Verdict);
    }

    private static string[] Entries(ListingEngine engine) =>
        [.. new[] { DnsList.Block, DnsList.Allow }.SelectMany(list => engine.Index(list).Entries().Select(e => $"{list} {e.Key} {e.Value.Code:x} {e.Value.Reason}")).Order(StringComparer.Ordinal)];

    private static string[] Whys(ListingEngine engine) =>
        [.. new[] { "192.0.2.40", "192.0.2.41", "198.51.100.7", "2001:db8:9::1", "203.0.113.5", "203.0.113.6" }
            .Select(a => engine.Explain(IpSubject.Parse(a))).Select(d => $"{d.Block.Why()} | {d.Allow.Why()}")];

    private static ListingEngine Engine(TestCollector collector) => collector.Services.GetRequiredService<ListingEngine>();

    private Task<TestCollector> StartAsync() => TestCollector.StartAsync(Dir, _time, AdminTestClient.Setting);

    private async Task ReportAsync(TestCollector collector, params string[] subjects)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var batch = new ReportBatch
        {
            Reporter = TestCollector.Reporter1,
            Batch = $"op-{Interlocked.Increment(ref s_batch)}",
            Reports = [.. subjects.Select(s => new BatchReport { Verb = "black", Subject = s, Reason = "virus Eicar", First = now, Last = now, Count = 1 })],
        };
        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json(batch)));
    }
}
