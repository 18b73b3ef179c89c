using System.Globalization;

namespace KarmaKit.Benchmarks.Ingest;

/// <summary>
/// Load tool for the collector's ingest (issue 3): R reporters, each with its own token, post batches of B reports
/// to <c>/v1/batches</c> back to back (F posts in flight per reporter) for S seconds after a warm-up, against a
/// collector started here as a child process over a fresh directory (durable: fdatasync before every 200), or an
/// already running one (<c>--url</c> with <c>--reporter NAME=TOKEN</c> per reporter). Prints reports/s, batches/s
/// and batch latency percentiles; with the child it also checks that karma.log holds every accepted report.
/// </summary>
internal static class IngestLoad
{
    private const string Usage = "usage: ingest [--reporters 4] [--batch 500] [--inflight 1] [--seconds 10] [--warmup 3] [--label NAME]\n"
        + "              [--collector PATH] [--dir DIR] [--Collector:Key=value ...]      (a child collector over DIR, default a temp dir)\n"
        + "              [--url http://HOST:PORT/ --reporter NAME=TOKEN ...]            (a running collector)";

    public static int Run(string[] args)
    {
        var settings = new IngestSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--reporters": settings.Reporters = Int(); break;
                case "--batch": settings.BatchSize = Int(); break;
                case "--inflight": settings.InFlight = Int(); break;
                case "--seconds": settings.Seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": settings.Warmup = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--label": settings.Label = Next(); break;
                case "--collector": settings.Collector = Next(); break;
                case "--dir": settings.Directory = Next(); break;
                case "--url": settings.Url = new Uri(Next()); break;
                case "--reporter":
                    var pair = Next().Split('=', 2);
                    settings.Tokens.Add((pair[0], pair.Length > 1 ? pair[1] : ""));
                    break;
                case var key when key.StartsWith("--Collector:", StringComparison.Ordinal): settings.CollectorArguments.Add(key); break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 64;
            }
        }

        return RunAsync(settings).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(IngestSettings settings)
    {
        var run = TimeProvider.System.GetUtcNow().UtcTicks.ToString("x", CultureInfo.InvariantCulture);
        if (settings.Url is null)
        {
            settings.Tokens.Clear();
            settings.Tokens.AddRange(Enumerable.Range(1, settings.Reporters).Select(r => ($"bench-{r}", $"bench-token-{r}-{run}")));
        }
        else if (settings.Tokens.Count != settings.Reporters)
        {
            Console.Error.WriteLine($"--url needs --reporter NAME=TOKEN for each of the {settings.Reporters} reporters");
            return 64;
        }

        // The reports' own times: a moment ago, so never "in the future" however long the run.
        var now = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(-1);
        var time = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        var bodies = settings.Tokens.Select((t, r) => new BatchBodies(t.Name, r, run, settings.BatchSize, distinct: 64, time)).ToArray();

        var directory = settings.Directory ?? Directory.CreateTempSubdirectory("kk-ingest-").FullName;
        CollectorChild? child = null;
        try
        {
            if (settings.Url is null)
            {
                Directory.CreateDirectory(directory);
                child = await CollectorChild.StartAsync(settings.Collector ?? CollectorChild.DefaultBinary(), directory, settings.Tokens, settings.CollectorArguments);
            }

            var url = settings.Url ?? child!.Url;
            var cpuBefore = child?.CpuTime ?? TimeSpan.Zero;
            var clientCpuBefore = Environment.CpuUsage.TotalTime;
            var result = await IngestRunner.MeasureAsync(url, settings, bodies);
            var clientCpu = (Environment.CpuUsage.TotalTime - clientCpuBefore).TotalSeconds;
            var line = result.Format(settings)
                + string.Create(CultureInfo.InvariantCulture, $" client-cpu={clientCpu / result.TotalElapsed.TotalSeconds * 100:F0}%");
            if (child is not null)
            {
                var cpu = (child.CpuTime - cpuBefore).TotalSeconds;
                line += string.Create(CultureInfo.InvariantCulture,
                    $" collector-cpu={cpu / result.TotalElapsed.TotalSeconds * 100:F0}% ({cpu * 1e6 / Math.Max(1, result.AllReports):F2} us/report) collector-rss={child.PeakRssMiB:F0}MiB");
                child.Stop();
                var logged = File.ReadLines(child.LogPath).LongCount();
                line += string.Create(CultureInfo.InvariantCulture, $" karma.log={new FileInfo(child.LogPath).Length / 1048576.0:F0}MiB lines={logged}");
                if (logged != result.AllReports)
                {
                    Console.WriteLine(line);
                    Console.Error.WriteLine($"karma.log has {logged} lines but {result.AllReports} reports were accepted");
                    return 1;
                }
            }

            Console.WriteLine(line);
            return result.Failed == 0 && result.Batches > 0 ? 0 : 1;
        }
        finally
        {
            child?.Dispose();
            if (settings.Directory is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}

internal sealed class IngestSettings
{
    public int Reporters { get; set; } = 4;

    public int BatchSize { get; set; } = 500;

    public int InFlight { get; set; } = 1;

    public double Seconds { get; set; } = 10;

    public double Warmup { get; set; } = 3;

    public string Label { get; set; } = "ingest";

    public string? Collector { get; set; }

    public string? Directory { get; set; }

    public Uri? Url { get; set; }

    public List<(string Name, string Token)> Tokens { get; } = [];

    public List<string> CollectorArguments { get; } = [];
}
