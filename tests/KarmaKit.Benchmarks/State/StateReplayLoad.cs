using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace KarmaKit.Benchmarks.State;

/// <summary>
/// <c>state [--lines N] [--subjects N] [--reporters N] [--spread] [--dir DIR] [--replay-only]</c>: writes a karma.log of N lines (default 10 million)
/// over N subjects (default 1 million; 10% IPv6) in batches of 500, then measures what the collector does at start:
/// a full replay (lines/s), the bytes a subject of the resulting state takes, writing the snapshot, and a restart
/// from the snapshot (<c>--replay-only</c>: the full replay alone, for profiling). Reuses DIR's karma.log when it already has the same shape.
/// </summary>
internal static class StateReplayLoad
{
    /// <summary>The generated log's receive times start on 2026-11-01; a long window takes all of its batch ids.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromDays(3650);

    private static readonly DateTime Now = new(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc);

    public static int Run(string[] args)
    {
        var lines = Option(args, "--lines", 10_000_000L);
        var subjects = (int)Option(args, "--subjects", 1_000_000L);
        var reporters = (int)Option(args, "--reporters", 20L);
        var spread = args.Contains("--spread");
        var dir = OptionText(args, "--dir") ?? Path.Combine(Path.GetTempPath(), $"kk-state-bench-{lines}-{subjects}-{reporters}{(spread ? "-spread" : "")}");
        var options = new CollectorOptions { Log = Path.Combine(dir, "log", "karma.log"), Data = Path.Combine(dir, "data") };
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        }));
        var logger = loggers.CreateLogger<SubjectStateFeed>();

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");
        var logPath = Path.GetFullPath(options.Log);
        if (!File.Exists(logPath + ".done"))
        {
            var generate = Stopwatch.StartNew();
            Generate(logPath, lines, subjects, reporters, spread);
            File.WriteAllText(logPath + ".done", "");
            Console.WriteLine($"generated {lines:N0} lines, {new FileInfo(logPath).Length:N0} bytes in {generate.Elapsed.TotalSeconds:F1} s");
        }

        Directory.CreateDirectory(options.Data);
        File.Delete(StateSnapshot.PathIn(options.Data));
        Warm(logPath);

        var replayOnly = args.Contains("--replay-only");
        if (!replayOnly)
        {
            var parse = ParseOnly(logPath);
            Console.WriteLine($"parse only (no state): {parse.Lines:N0} lines, {parse.Lines / parse.Wall.TotalSeconds:N0} lines/s wall, {parse.Lines / parse.Cpu.TotalSeconds:N0} lines per CPU second");

            var apply = ApplyOnly(lines, subjects);
            Console.WriteLine($"apply only (no parse): {lines:N0} reports, {lines / apply.Wall.TotalSeconds:N0} /s wall, {lines / apply.Cpu.TotalSeconds:N0} per CPU second");
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var feed = new SubjectStateFeed(new SubjectStateStore(), options, logger);
        var ids = new BatchIdIndex(Window);
        feed.Attach(ids, Now); // the batch ids are gathered by the same read, as at a collector's start
        feed.Recovered(logPath);
        var replay = feed.Startup!.Value;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var store = feed.Store;
        Console.WriteLine($"full replay (with the batch ids: {ids.Count:N0}): {replay.Lines:N0} lines in {replay.Elapsed.TotalSeconds:F2} s = {replay.LinesPerSecond:N0} lines/s wall, {replay.Lines / cpu.TotalSeconds:N0} lines per CPU second (CPU {cpu.TotalSeconds:F2} s)");
        Console.WriteLine($"state: {store.Count:N0} subjects, {store.OverflowBlocks:N0} overflow blocks (more than one reporter), {(after - before) / 1024 / 1024:N0} MiB = {(double)(after - before) / store.Count:F1} bytes/subject, {HugePagesMiB()} MiB of the process in 2 MiB pages");

        if (replayOnly)
        {
            return 0;
        }

        var save = Stopwatch.StartNew();
        var size = feed.SaveSnapshot();
        Console.WriteLine($"snapshot written: {size:N0} bytes in {save.Elapsed.TotalSeconds:F2} s");
        GC.KeepAlive(feed);
        feed = null;
        GC.Collect();

        var restart = Stopwatch.StartNew();
        var again = new SubjectStateFeed(new SubjectStateStore(), options, logger);
        var restored = new BatchIdIndex(Window);
        again.Attach(restored, Now);
        again.Recovered(logPath);
        Console.WriteLine($"restart from the snapshot: {again.Store.Count:N0} subjects, {restored.Count:N0} batch ids, {again.Startup!.Value.Lines:N0} lines replayed, in {restart.Elapsed.TotalSeconds:F2} s (from snapshot: {again.StartedFromSnapshot})");
        var scan = Stopwatch.StartNew();
        var index = new BatchIdIndex(Window);
        BatchIdScanner.Load(logPath, index, Now, logger);
        Console.WriteLine($"for comparison, the batch-id scan a start without the state would make (every line in the window): {index.Count:N0} batches in {scan.Elapsed.TotalSeconds:F2} s = {lines / scan.Elapsed.TotalSeconds:N0} lines/s");
        return 0;
    }

    /// <summary>
    /// Batches of 500 lines from one reporter, one receive time each, a handful of reasons. Each subject has a home
    /// reporter that makes 4 in 5 of its reports; the rest come from any reporter. Over the whole log a subject gets
    /// lines/subjects reports from a few distinct reporters; <c>--spread</c> makes every report come from any reporter.
    /// </summary>
    private static void Generate(string path, long lines, int subjects, int reporters, bool spread)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string[] reasons = ["virus Eicar-Test-Signature", "spam score=12.3", "auth-bruteforce", "virus Trojan.Generic", "rbl-trap", ""];
        var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var buffer = new ArrayBufferWriter<byte>(1 << 21);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        var random = new Random(42);
        var perReporter = Math.Max(1, subjects / reporters);
        for (long i = 0; i < lines; i += 500)
        {
            var received = start.AddMilliseconds(i / 2);
            var r = (int)(i / 500 % reporters);
            var reporter = $"mx{r}.example.org";
            var batch = $"{reporter}-{i / 500}";
            var size = (int)Math.Min(500, lines - i);
            for (var j = 0; j < size; j++)
            {
                var n = spread || random.Next(5) == 0 ? random.Next(subjects) : Math.Min(subjects - 1, (random.Next(perReporter) * reporters) + r);
                var subject = n % 10 == 9 ? IpSubject.FromIPv6(((UInt128)0x2001_0db8_0000_0000UL << 64) | (uint)n) : IpSubject.FromIPv4(0x0B00_0000u + (uint)n);
                var verb = n % 50 == 0 ? Verb.White : Verb.Black;
                var report = new ReportEntry(verb, subject, 1 + (j % 3), received.AddSeconds(-90), received.AddSeconds(-1), reasons[(n + j) % reasons.Length]);
                KarmaLogFormat.Write(buffer, received, reporter, batch, size, report);
            }

            if (buffer.WrittenCount > 1 << 20)
            {
                file.Write(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
            }
        }

        file.Write(buffer.WrittenSpan);
    }

    /// <summary>Applies random reports straight to a store (no log, no parsing): the share of the replay that is the store.</summary>
    private static (TimeSpan Wall, TimeSpan Cpu) ApplyOnly(long count, int subjects)
    {
        var store = new SubjectStateStore();
        var random = new Random(7);
        var updates = new StateUpdate[4096];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        using (store.EnterWrite())
        {
            var reporters = Enumerable.Range(0, 20).Select(i => store.Reporters.GetOrAdd($"mx{i}")).ToArray();
            for (long done = 0; done < count; done += updates.Length)
            {
                foreach (ref var u in updates.AsSpan())
                {
                    var n = random.Next(subjects);
                    u = new StateUpdate { Subject = IpSubject.FromIPv4(0x0B00_0000u + (uint)n), First = 1_800_000_000, Last = 1_800_000_100, Received = 1_800_000_200, Reporter = reporters[(n + random.Next(2)) % 20], Count = 1, Verb = Verb.Black };
                }

                for (var at = 0; at < updates.Length; at += 256)
                {
                    store.ApplyBatch(updates.AsSpan(at, 256));
                }
            }
        }

        return (wall.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    /// <summary>Reads and parses every line without applying it: the share of the replay that is parsing.</summary>
    private static (long Lines, TimeSpan Wall, TimeSpan Cpu) ParseOnly(string path)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        long lines = 0;
        using var file = File.OpenRead(path);
        LogLines.ForEach(file, (line, offset) => lines += StateLine.TryParse(line, out var parsed) && parsed.Count > 0 ? 1 : 0);
        return (lines, wall.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    /// <summary>AnonHugePages of /proc/self/smaps_rollup (Linux), in MiB; -1 when unknown.</summary>
    private static long HugePagesMiB()
    {
        const string path = "/proc/self/smaps_rollup";
        var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal)) : null;
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>Reads the log once so the replay is measured from the page cache, as at a restart.</summary>
    private static void Warm(string path)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        while (file.Read(buffer) > 0)
        {
        }
    }

    private static long Option(string[] args, string name, long fallback) =>
        OptionText(args, name) is { } text ? long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
