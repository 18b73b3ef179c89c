using BenchmarkDotNet.Running;
using KarmaKit.Benchmarks.Dns;
using KarmaKit.Benchmarks.Export;
using KarmaKit.Benchmarks.Ingest;
using KarmaKit.Benchmarks.Listing;
using KarmaKit.Benchmarks.Readsocket;
using KarmaKit.Benchmarks.State;

namespace KarmaKit.Benchmarks;

/// <summary>
/// <c>readsocket ...</c> runs the load tool that does what Exim does per call; <c>ingest ...</c> the one that posts
/// reporters' batches to a durable collector; <c>report-feed ...</c> the steady report stream of
/// tests/bench/dns-bench.sh's loaded round; <c>state ...</c> measures the collector's start-up rebuild of the DNSBL
/// state from karma.log and its snapshot;
/// <c>listing [ENTRIES] [COMMITS]</c> the listing engine's start-up build and per-commit publication cost;
/// <c>export [ENTRIES] [--ipv6 N]</c> the zone export (rbldnsd files and the master file) of a list that size;
/// anything else goes to BenchmarkDotNet (<c>--filter *LineParser*</c>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "readsocket")
        {
            return ReadsocketLoad.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "ingest")
        {
            return IngestLoad.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "report-feed")
        {
            return ReportFeed.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "listing")
        {
            return ListingPublishLoad.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "export")
        {
            return ExportLoad.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "state")
        {
            return StateReplayLoad.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
