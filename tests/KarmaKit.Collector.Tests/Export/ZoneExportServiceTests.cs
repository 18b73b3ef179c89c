using System.Diagnostics;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Export;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KarmaKit.Collector.Tests.Export;

/// <summary>The hosted export in the real collector, on the real clock.</summary>
public class ZoneExportServiceTests : TempDirectory
{
    private static readonly ExportZone Bl = new(DnsList.Block, "bl.karmakit.test");

    [Fact]
    public async Task Start_Default_ZonesUnderDataWithTheEngineSerial()
    {
        await using var collector = await TestCollector.StartAsync(Dir);
        var path = ZoneExporter.MasterPath(Path.Combine(Dir, "data", "zones"), Bl);

        await WaitForAsync(() => File.Exists(path));

        Assert.Equal(collector.Services.GetRequiredService<ListingEngine>().Serial(DnsList.Block), ZoneExportSchedulerTests.Serial(path));
    }

    [Fact]
    public async Task Post_OwnDirectoryShortInterval_ReportReachesTheFiles()
    {
        var zones = Path.Combine(Dir, "export");
        await using var collector = await TestCollector.StartAsync(Dir, $"--Collector:Export:Directory={zones}", "--Collector:Export:Interval=00:00:01");
        await WaitForAsync(() => File.Exists(ZoneExporter.Ip4SetPath(zones, Bl)));

        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json("x-1")));

        await WaitForAsync(() => File.ReadAllText(ZoneExporter.Ip4SetPath(zones, Bl)).Contains("\n:127.0.0.3:virus Eicar\n192.0.2.2\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_Disabled_NoFiles()
    {
        await using var collector = await TestCollector.StartAsync(Dir, "--Collector:Export:Enabled=false");
        await collector.WriterAsync();
        await collector.Services.GetRequiredService<ZoneExportService>().ExecuteTask!;

        Assert.False(Directory.Exists(Path.Combine(Dir, "data", "zones")));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "condition not met within 30 s");
            await Task.Delay(20); // polling the files for a condition, not timing
        }
    }
}
