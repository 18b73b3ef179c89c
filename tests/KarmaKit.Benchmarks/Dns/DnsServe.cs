using System.Diagnostics;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Benchmarks.Dns;

/// <summary>
/// <c>dns-serve --listen IP:PORT --data FILE [--receivers N] [--zone Z] [--transfer-allow CIDRS]</c>: the collector's DNS server (the same
/// <see cref="DnsServerService"/>) over a <see cref="StaticListing"/> loaded from an rbldnsd ip4set file (one address
/// per line; lines starting with ':', '$' or '#' are skipped), so dnsperf can compare it with rbldnsd on the same data.
/// Runs until stdin closes or SIGTERM.
/// </summary>
internal static class DnsServe
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var started = Stopwatch.StartNew();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var entries = new List<KeyValuePair<IpSubject, ListingAnswer>>();
        foreach (var line in File.ReadLines(Arg("--data", "bl.zone")))
        {
            if (line.Length > 0 && line[0] is not (':' or '$' or '#') && IpSubject.TryParse(line.AsSpan().Trim(), out var subject))
            {
                entries.Add(new(subject, ListingAnswer.Listed));
            }
        }

        var listing = new StaticListing(entries, []);
        entries = null;
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var options = new CollectorOptions();
        options.Dns.Listen = Arg("--listen", "127.0.0.1:5354");
        options.Dns.Zone = Arg("--zone", "bl.karmakit.test");
        options.Dns.Transfer.Allow = Arg("--transfer-allow", ""); // AXFR of the 1M zone: time and memory of a transfer
        options.Dns.UdpReceivers = int.Parse(Arg("--receivers", "0"), System.Globalization.CultureInfo.InvariantCulture);
        var server = new DnsServerService(options, listing, TimeProvider.System, NullLogger<DnsServerService>.Instance);
        server.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        Console.WriteLine($"dns-serve: {listing.Count(DnsList.Block)} entries loaded in {started.Elapsed.TotalSeconds:F2} s, " +
            $"{bytes / Math.Max(1, listing.Count(DnsList.Block))} B/entry managed, listening on {server.LocalEndPoint}");
        using var stop = new ManualResetEventSlim();
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Set();
        });
        stop.Wait();
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
