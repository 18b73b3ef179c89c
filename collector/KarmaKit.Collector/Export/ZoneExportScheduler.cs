using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;

namespace KarmaKit.Collector.Export;

/// <summary>
/// Which zones to write now: a zone whose serial differs from the one last written, unless it was tried less than
/// <c>Interval</c> ago (written or failed: an I/O error waits an interval, the old files stay). One caller at a time.
/// </summary>
internal sealed class ZoneExportScheduler(ZoneExporter exporter, ListingEngine engine, TimeSpan interval, TimeProvider time, ILogger logger)
{
    private readonly Dictionary<DnsList, uint> _written = [];
    private readonly Dictionary<DnsList, DateTimeOffset> _tried = [];

    /// <summary>Writes what is due; returns the zones written.</summary>
    public int RunOnce()
    {
        var count = 0;
        foreach (var zone in exporter.Settings.Zones)
        {
            var now = time.GetUtcNow();
            if ((_written.TryGetValue(zone.List, out var serial) && serial == engine.Serial(zone.List))
                || (_tried.TryGetValue(zone.List, out var last) && now - last < interval))
            {
                continue;
            }

            _tried[zone.List] = now;
            try
            {
                var result = exporter.Export(zone, ZoneSnapshot.Capture(engine, zone.List));
                _written[zone.List] = result.Serial;
                count++;
                logger.ZoneExported(zone.Apex, exporter.Directory, result.Serial, result.Entries, result.Bytes, (long)result.Elapsed.TotalMilliseconds);
                if (result.Inexact > 0)
                {
                    logger.ZoneExportInexact(zone.Apex, result.Inexact);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.ZoneExportFailed(ex, zone.Apex, exporter.Directory, interval);
            }
        }

        return count;
    }
}
