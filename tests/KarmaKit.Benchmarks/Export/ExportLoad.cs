using System.Diagnostics;
using System.Globalization;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Export;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Benchmarks.Export;

/// <summary>
/// <c>export [ENTRIES] [--ipv6 N] [--rounds R] [--dir DIR] [--template TXT]</c>: a published list of ENTRIES random public IPv4
/// addresses (default 1,000,000, seed 5782, four reasons) and N IPv6 /64s (default 0), then R rounds (default 3) of
/// the zone export as the collector runs it: the capture, the rbldnsd ip4set and ip6trie, the master file, each
/// written atomically (temp file, fsync, rename, directory fsync) into DIR (default a fresh temp directory, removed).
/// TXT is <c>Collector:Dns:TxtTemplate</c> (<c>"{address}={reason}"</c> cannot be rbldnsd's base template, so every
/// entry is then written with its literal text).
/// </summary>
internal static class ExportLoad
{
    public static int Run(string[] args)
    {
        var entries = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var ipv6 = Option(args, "--ipv6", 0);
        var rounds = Option(args, "--rounds", 3);
        var given = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault();
        var template = args.SkipWhile(a => a != "--template").Skip(1).FirstOrDefault() ?? new DnsOptions().TxtTemplate;
        var directory = given ?? Directory.CreateTempSubdirectory("kk-export-bench-").FullName;
        Console.WriteLine(Machine());
        try
        {
            var sw = Stopwatch.StartNew();
            var index = Build(entries, ipv6);
            Console.WriteLine($"listing of {index.Count:N0} entries ({entries:N0} IPv4, {ipv6:N0} IPv6 /64) built in {sw.ElapsedMilliseconds} ms; writing to {directory}");
            var exporter = new ZoneExporter(ZoneExportSettings.Create(new DnsOptions { TxtTemplate = template }), directory);
            Console.WriteLine($"TXT template {template}: {(exporter.Settings.Rbldnsd is null ? "literal text per entry" : "rbldnsd base template " + exporter.Settings.Rbldnsd.Line.TrimEnd())}");
            var zone = exporter.Settings.Zones[0];
            for (var round = 1; round <= rounds; round++)
            {
                sw.Restart();
                var snapshot = ZoneSnapshot.Capture(index, DnsList.Block, 64);
                var capture = sw.Elapsed;
                var ip4 = Timed(() => ZoneTextWriter.WriteFile(ZoneExporter.Ip4SetPath(directory, zone), w => RbldnsdFiles.WriteIp4Set(snapshot, zone, exporter.Settings, w)));
                var ip6 = Timed(() => ZoneTextWriter.WriteFile(ZoneExporter.Ip6TriePath(directory, zone), w => RbldnsdFiles.WriteIp6Trie(snapshot, zone, exporter.Settings, w)));
                var master = Timed(() => ZoneTextWriter.WriteFile(ZoneExporter.MasterPath(directory, zone), w => BindZoneFile.Write(snapshot, zone, exporter.Settings, w)));
                Console.WriteLine(
                    $"round {round}: capture {capture.TotalMilliseconds:0} ms; rbldnsd ip4set {ip4.Elapsed.TotalMilliseconds:0} ms ({ip4.Bytes / 1e6:0.0} MB) + ip6trie "
                    + $"{ip6.Elapsed.TotalMilliseconds:0} ms ({ip6.Bytes / 1e6:0.0} MB) = {(capture + ip4.Elapsed + ip6.Elapsed).TotalMilliseconds:0} ms with the capture; "
                    + $"master file {master.Elapsed.TotalMilliseconds:0} ms ({master.Bytes / 1e6:0.0} MB); load now {Load()}");
            }
        }
        finally
        {
            if (given is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        return 0;
    }

    private static ListingIndex Build(int entries, int ipv6)
    {
        ListingAnswer[] answers =
        [
            new(0x7F00_0002, "generic listed"),
            new(0x7F00_0003, "virus Eicar-Test-Signature"),
            new(0x7F00_0004, "spam scored 12.5"),
            new(0x7F00_0005, "auth brute force on SMTP AUTH"),
        ];
        var random = new Random(5782);
        var seen = new HashSet<uint>(entries);
        var list = new List<KeyValuePair<IpSubject, ListingAnswer>>(entries + ipv6);
        while (seen.Count < entries)
        {
            var address = (uint)random.NextInt64(0x0100_0000, 0xE000_0000); // 1.0.0.0 up to the multicast range
            if (address >> 24 is 10 or 127 || !seen.Add(address))
            {
                continue;
            }

            list.Add(new(IpSubject.FromIPv4(address), answers[seen.Count % answers.Length]));
        }

        for (var i = 0; i < ipv6; i++)
        {
            var network = ((UInt128)0x2a00_0000_0000_0000UL + (ulong)(random.NextInt64() & 0x00FF_FFFF_FFFF_FFFFL)) << 64;
            list.Add(new(IpSubject.FromIPv6(network), answers[i % answers.Length]));
        }

        return new ListingIndex(ListingSet.Build(list), [], [], list.Count, 2026112701);
    }

    private static (TimeSpan Elapsed, long Bytes) Timed(Func<long> write)
    {
        var sw = Stopwatch.StartNew();
        var bytes = write();
        return (sw.Elapsed, bytes);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "?";

    private static string Machine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        return $"machine: {Environment.ProcessorCount} processors ({model}), load average {Load()}, .NET {Environment.Version}, {Environment.OSVersion}";
    }
}
