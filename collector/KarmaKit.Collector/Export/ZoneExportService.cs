using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Zones;

namespace KarmaKit.Collector.Export;

/// <summary>
/// Keeps the export directory in step with the listing engine: once the engine is built (karma.log recovered), and
/// then whenever a list's serial moved, writes that zone's files, each zone at most once per
/// <c>Collector:Export:Interval</c>. The content comes from one immutable <see cref="ZoneSnapshot"/>, so ingest and
/// DNS go on while it is written. An I/O error is logged and the zone tried again an interval later; the old files stay.
/// </summary>
internal sealed class ZoneExportService(CollectorOptions options, ListingEngine engine, KarmaLogService log, TimeProvider time, ILogger<ZoneExportService> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(1);

    private int _passes;

    /// <summary>Passes over the zones so far (tests wait on it).</summary>
    public int Passes => Volatile.Read(ref _passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var export = options.Export;
        var directory = ExportOptions.ResolveDirectory(options);
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

        var exporter = new ZoneExporter(ZoneExportSettings.Create(options.Dns), directory);
        var written = new Dictionary<DnsList, uint>();
        var tried = new Dictionary<DnsList, DateTimeOffset>();
        var poll = export.Interval < MaxPoll ? export.Interval : MaxPoll;
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var zone in exporter.Settings.Zones)
            {
                var now = time.GetUtcNow();
                if ((written.TryGetValue(zone.List, out var serial) && serial == engine.Serial(zone.List))
                    || (tried.TryGetValue(zone.List, out var last) && now - last < export.Interval))
                {
                    continue;
                }

                tried[zone.List] = now;
                try
                {
                    var result = exporter.Export(zone, ZoneSnapshot.Capture(engine, zone.List));
                    written[zone.List] = result.Serial;
                    logger.ZoneExported(zone.Apex, directory, result.Serial, result.Entries, result.Bytes, (long)result.Elapsed.TotalMilliseconds);
                    if (result.Inexact > 0)
                    {
                        logger.ZoneExportInexact(zone.Apex, result.Inexact);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    logger.ZoneExportFailed(ex, zone.Apex, directory, export.Interval);
                }
            }

            Interlocked.Increment(ref _passes);
            try
            {
                await Task.Delay(poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
