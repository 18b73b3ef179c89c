using System.Diagnostics;
using KarmaKit.Collector.Zones;

namespace KarmaKit.Collector.Export;

/// <summary>
/// Writes one zone's files into the export directory from one <see cref="ZoneSnapshot"/> (so the three agree):
/// <c>ZONE.ip4set</c> and <c>ZONE.ip6trie</c> for rbldnsd, <c>ZONE.zone</c> the master file, each replaced atomically.
/// </summary>
internal sealed class ZoneExporter(ZoneExportSettings settings, string directory)
{
    public string Directory => directory;

    public ZoneExportSettings Settings => settings;

    public static string Ip4SetPath(string directory, ExportZone zone) => Path.Combine(directory, zone.Apex + ".ip4set");

    public static string Ip6TriePath(string directory, ExportZone zone) => Path.Combine(directory, zone.Apex + ".ip6trie");

    public static string MasterPath(string directory, ExportZone zone) => Path.Combine(directory, zone.Apex + ".zone");

    public ZoneExportResult Export(ExportZone zone, ZoneSnapshot snapshot)
    {
        var stopwatch = Stopwatch.StartNew();
        System.IO.Directory.CreateDirectory(directory);
        var inexact = 0;
        var bytes = ZoneTextWriter.WriteFile(Ip4SetPath(directory, zone), w => inexact += RbldnsdFiles.WriteIp4Set(snapshot, zone, settings, w));
        bytes += ZoneTextWriter.WriteFile(Ip6TriePath(directory, zone), w => inexact += RbldnsdFiles.WriteIp6Trie(snapshot, zone, settings, w));
        bytes += ZoneTextWriter.WriteFile(MasterPath(directory, zone), w => BindZoneFile.Write(snapshot, zone, settings, w));
        return new ZoneExportResult(snapshot.Serial, snapshot.Entries.Count, bytes, inexact, stopwatch.Elapsed);
    }
}

/// <summary>One zone written: its serial, entries (the test entry included), bytes of all three files, TXT rbldnsd cannot give back exactly.</summary>
internal readonly record struct ZoneExportResult(uint Serial, int Entries, long Bytes, int Inexact, TimeSpan Elapsed);
