using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Export;

/// <summary>
/// Keeps the export directory in step with the listing engine: once the engine is built (karma.log recovered), and
/// then every second or <c>Collector:Export:Interval</c> if shorter, writes the zones whose serial moved
/// (<see cref="ZoneExportScheduler"/>: each at most once an interval). The content comes from one immutable
/// <see cref="Zones.ZoneSnapshot"/>, so ingest and DNS go on while it is written.
/// </summary>
internal sealed class ZoneExportService(CollectorOptions options, ListingEngine engine, KarmaLogService log, TimeProvider time, ILogger<ZoneExportService> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var export = options.Export;
        if (!export.Enabled)
        {
            logger.ZoneExportDisabled();
            return;
        }

        await Task.Yield(); // the first export of a large list must not hold up the host's start
        try
        {
            await log.WriterAsync.WaitAsync(stoppingToken);
        }
        catch (Exception)
        {
            return; // stopping, or karma.log failed to open: the host stops anyway
        }

        var exporter = new ZoneExporter(ZoneExportSettings.Create(options.Dns), ExportOptions.ResolveDirectory(options));
        var scheduler = new ZoneExportScheduler(exporter, engine, export.Interval, time, logger);
        var poll = export.Interval < MaxPoll ? export.Interval : MaxPoll;

        // Its own thread: writing a million entries takes about a second of CPU and fsyncs, which on a pool thread of a
        // 2-core machine would delay DNS over TCP and HTTP answers (the transfer path learned the same).
        await Task.Factory.StartNew(() => Run(scheduler, poll, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Run(ZoneExportScheduler scheduler, TimeSpan poll, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            scheduler.RunOnce();
            try
            {
                Task.Delay(poll, time, stoppingToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
