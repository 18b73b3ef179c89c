using System.Diagnostics;
using System.Globalization;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Operator;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Benchmarks.Listing;

/// <summary>
/// <c>listing [ENTRIES] [COMMITS]</c>: the listing engine over a state of ENTRIES listed IPv4 subjects (default
/// 1,000,000): the start-up build, then COMMITS (default 20,000) group commits of one new subject each, timing what
/// the log writer thread spends in <see cref="ListingEngine.Appended"/> (evaluate + publish), then a merge and lookups;
/// and the managed memory a listed address costs in the DNS index and in the whole engine.
/// </summary>
internal static class ListingPublishLoad
{
    public static int Run(string[] args)
    {
        var entries = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var commits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var time = TimeProvider.System;
        var now = time.GetUtcNow().UtcDateTime;
        var store = new SubjectStateStore();
        int reporter, reason;
        var t = StateTime.Seconds(now) - 60;
        var sw = Stopwatch.StartNew();
        using (store.EnterWrite())
        {
            reporter = store.Reporters.GetOrAdd("mx1");
            reason = store.Reasons.GetOrAdd("spam x");
            for (uint i = 0; i < entries; i++)
            {
                store.Apply(reporter, Verb.Black, IpSubject.FromIPv4(0x0800_0000u + (i * 7)), 1, t, t, t, reason);
            }
        }

        Console.WriteLine($"state of {entries:N0} subjects: {sw.ElapsedMilliseconds} ms");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var engine = new ListingEngine(store, new CollectorOptions(), new SerialReservation(null, NullLogger.Instance), time, NullLogger<ListingEngine>.Instance);
        sw.Restart();
        engine.Recovered("");
        var elapsed = sw.ElapsedMilliseconds;
        var engineBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var listed = engine.Count(DnsList.Block);
        Console.WriteLine($"start-up build: {elapsed} ms, {listed:N0} listed");
        Console.WriteLine($"memory a listed address: DNS index {IndexBytes(engine.Index(DnsList.Block)) / (double)listed:F1} B, "
            + $"whole engine (index, review queue, ledger) {engineBytes / (double)listed:F1} B");

        var reports = new ReportEntry[1];
        var bytes = "x\n"u8.ToArray();
        var samples = new double[commits];
        for (var round = 0; round < commits; round++)
        {
            var subject = IpSubject.FromIPv4(0x2000_0000u + (uint)round);
            using (store.EnterWrite())
            {
                store.Apply(reporter, Verb.Black, subject, 1, t, t, t, reason);
            }

            reports[0] = new ReportEntry(Verb.Black, subject, 1, now, now, "spam x");
            var start = Stopwatch.GetTimestamp();
            engine.Appended(new KarmaLogAppend { Received = now, Generation = 0, Start = 0, Bytes = bytes, Batches = [new AppendedBatch("mx1", reports)] });
            samples[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        Console.WriteLine($"per commit (evaluate + publish): p50 {samples[commits / 2]:0} us, p99 {samples[commits * 99 / 100]:0} us, max {samples[^1]:0} us; {engine.Index(DnsList.Block).Changes:N0} changes over the base");
        sw.Restart();
        engine.MergeNow();
        Console.WriteLine($"merge into the base: {sw.ElapsedMilliseconds} ms, {engine.Count(DnsList.Block):N0} listed");
        var lookups = Stopwatch.StartNew();
        var hits = 0;
        for (uint i = 0; i < 2_000_000; i++)
        {
            hits += engine.TryGet(DnsList.Block, IpSubject.FromIPv4(0x0800_0000u + (i * 7)), out _) ? 1 : 0;
        }

        Console.WriteLine($"lookup: {lookups.Elapsed.TotalNanoseconds / 2_000_000:0} ns each, {hits:N0} hits of 2,000,000");
        Console.WriteLine($"memory a listed address after the merge: DNS index {IndexBytes(engine.Index(DnsList.Block)) / (double)engine.Count(DnsList.Block):F1} B");

        // Operator actions: one address, and a /16 over listed keys (a pass over the whole state under its lock).
        foreach (var (text, verb) in new[] { ("8.0.0.7", OperatorVerb.Allow), ("8.0.0.0/16", OperatorVerb.Allow), ("8.0.0.0/16", OperatorVerb.Unallow) })
        {
            if (!IpNetwork.TryParse(text.AsSpan(), out var network))
            {
                throw new FormatException(text);
            }

            var action = new OperatorAction(now, "bench", verb, network, null, "benchmark");
            var start = Stopwatch.GetTimestamp();
            engine.Appended(new KarmaLogAppend { Received = now, Generation = 0, Start = 0, Bytes = bytes, Batches = [], Actions = [action] });
            Console.WriteLine($"operator {verb.ToWire()} {text}: {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.0} ms, {engine.Count(DnsList.Block):N0} listed");
        }

        return 0;
    }

    /// <summary>What one published index holds on the managed heap: a copy of its entries built the same way, measured alone.</summary>
    private static long IndexBytes(ListingIndex index)
    {
        var entries = index.Entries().ToList();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var copy = new ListingIndex(ListingSet.Build(entries), [], [], entries.Count, index.Serial);
        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(copy);
        return bytes;
    }
}
