using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Export;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol.Batches;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Export;

/// <summary>The rate bound and the error path, on the real listing engine with a fake clock (the hosted export is off).</summary>
public class ZoneExportSchedulerTests : TempDirectory
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly ExportZone Bl = new(DnsList.Block, "bl.karmakit.test");
    private static int s_batch;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero));

    private string Zones => Path.Combine(Dir, "zones");

    [Fact]
    public async Task RunOnce_Start_BothZonesAtTheEngineSerial()
    {
        await using var collector = await StartAsync();
        var engine = Engine(collector);

        var sut = Scheduler(engine).RunOnce();

        Assert.Equal(2, sut);
        Assert.Equal(engine.Serial(DnsList.Block), Serial(ZoneExporter.Ip4SetPath(Zones, Bl)));
        Assert.Equal(engine.Serial(DnsList.Allow), Serial(ZoneExporter.MasterPath(Zones, new ExportZone(DnsList.Allow, "wl.karmakit.test"))));
        Assert.Equal(6, Directory.GetFiles(Zones).Length);
    }

    [Fact]
    public async Task RunOnce_NothingChanged_NothingWritten()
    {
        await using var collector = await StartAsync();
        var scheduler = Scheduler(Engine(collector));
        scheduler.RunOnce();
        var written = File.GetLastWriteTimeUtc(ZoneExporter.MasterPath(Zones, Bl));

        _time.Advance(TimeSpan.FromHours(1));
        var sut = scheduler.RunOnce();

        Assert.Equal(0, sut);
        Assert.Equal(written, File.GetLastWriteTimeUtc(ZoneExporter.MasterPath(Zones, Bl)));
    }

    [Fact]
    public async Task RunOnce_ChangeWithinInterval_WrittenOnlyOnceTheIntervalIsOver()
    {
        await using var collector = await StartAsync();
        var engine = Engine(collector);
        var scheduler = Scheduler(engine);
        scheduler.RunOnce();
        var before = Serial(ZoneExporter.Ip4SetPath(Zones, Bl));

        await PostAsync(collector, "192.0.2.44");
        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        var early = scheduler.RunOnce();
        var serialEarly = Serial(ZoneExporter.Ip4SetPath(Zones, Bl));
        _time.Advance(TimeSpan.FromSeconds(1));
        var due = scheduler.RunOnce();

        Assert.Equal((0, before), (early, serialEarly));
        Assert.Equal(1, due); // the blocklist; the allowlist did not change
        Assert.Equal(engine.Serial(DnsList.Block), Serial(ZoneExporter.Ip4SetPath(Zones, Bl)));
        Assert.Contains("\n:127.0.0.3:virus Eicar\n192.0.2.44\n", File.ReadAllText(ZoneExporter.Ip4SetPath(Zones, Bl)), StringComparison.Ordinal);
        Assert.Contains("\n44.2.0.192 IN A 127.0.0.3\n", File.ReadAllText(ZoneExporter.MasterPath(Zones, Bl)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_IoError_OldFilesKeptAndRetriedAnIntervalLater()
    {
        await using var collector = await StartAsync();
        var engine = Engine(collector);
        var scheduler = Scheduler(engine);
        scheduler.RunOnce();
        var old = File.ReadAllText(ZoneExporter.Ip4SetPath(Zones, Bl));
        await PostAsync(collector, "192.0.2.45");
        var blocker = AtomicFile.TempPath(ZoneExporter.Ip4SetPath(Zones, Bl));
        Directory.CreateDirectory(blocker); // the temp file cannot be created: an I/O error at every try
        _time.Advance(Interval);

        var failed = scheduler.RunOnce();
        Directory.Delete(blocker);
        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        var tooSoon = scheduler.RunOnce();
        _time.Advance(TimeSpan.FromSeconds(1));
        var retried = scheduler.RunOnce();

        Assert.Equal((0, 0, 1), (failed, tooSoon, retried));
        Assert.DoesNotContain("192.0.2.45", old, StringComparison.Ordinal);
        Assert.Contains("\n192.0.2.45\n", File.ReadAllText(ZoneExporter.Ip4SetPath(Zones, Bl)), StringComparison.Ordinal);
    }

    /// <summary>The serial in a file's first line.</summary>
    internal static uint Serial(string path) => uint.Parse(File.ReadLines(path).First().Split("serial ")[1], System.Globalization.CultureInfo.InvariantCulture);

    private static ListingEngine Engine(TestCollector collector) => collector.Services.GetRequiredService<ListingEngine>();

    private ZoneExportScheduler Scheduler(ListingEngine engine) =>
        new(new ZoneExporter(ZoneExportSettings.Create(new DnsOptions()), Zones), engine, Interval, _time, NullLogger.Instance);

    private Task<TestCollector> StartAsync() => TestCollector.StartAsync(Dir, _time, "--Collector:Export:Enabled=false");

    private async Task PostAsync(TestCollector collector, string subject)
    {
        var report = new BatchReport
        {
            Verb = "black",
            Subject = subject,
            Reason = "virus Eicar",
            First = _time.GetUtcNow().UtcDateTime,
            Last = _time.GetUtcNow().UtcDateTime,
            Count = 1,
        };
        var batch = new ReportBatch { Reporter = TestCollector.Reporter1, Batch = $"e-{Interlocked.Increment(ref s_batch)}", Reports = [report] };
        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json(batch)));
    }
}
