using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace KarmaKit.Benchmarks.Ingest;

/// <summary>The posting loops of <see cref="IngestLoad"/> and what they measured.</summary>
internal static class IngestRunner
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<IngestResult> MeasureAsync(Uri url, IngestSettings settings, BatchBodies[] bodies)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var began = Stopwatch.GetTimestamp();
        var measureFrom = began + (long)(settings.Warmup * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(settings.Seconds * Stopwatch.Frequency);
        var sequences = new long[bodies.Length];
        var workers = bodies.SelectMany((b, r) => Enumerable.Range(0, settings.InFlight)
            .Select(_ => Task.Run(() => PostLoopAsync(client, b, settings, () => Interlocked.Increment(ref sequences[r]), measureFrom, stopAt))))
            .ToArray();
        var loops = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(began);
        var latencies = loops.SelectMany(l => l.Latencies).ToArray();
        Array.Sort(latencies);
        return new IngestResult(
            latencies,
            TimeSpan.FromSeconds(settings.Seconds),
            elapsed,
            AllReports: loops.Sum(l => l.AllBatches) * (long)settings.BatchSize,
            Failed: loops.Sum(l => l.Failed),
            Statuses: string.Join(',', loops.SelectMany(l => l.Statuses).Distinct()));
    }

    private static async Task<PostLoop> PostLoopAsync(HttpClient client, BatchBodies bodies, IngestSettings settings, Func<long> next, long measureFrom, long stopAt)
    {
        var loop = new PostLoop();
        var buffer = new byte[bodies.MaxLength];
        var authorization = new AuthenticationHeaderValue("Bearer", settings.Tokens.First(t => t.Name == bodies.Reporter).Token);
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            var length = bodies.Write(next(), buffer);
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches") { Content = new ByteArrayContent(buffer, 0, length) };
            request.Content.Headers.ContentType = Json;
            request.Headers.Authorization = authorization;
            var t0 = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var t1 = Stopwatch.GetTimestamp();
            var answer = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || !answer.Contains("\"duplicate\":false", StringComparison.Ordinal))
            {
                loop.Failed++;
                loop.Statuses.Add(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
                if (loop.Failed <= 3)
                {
                    Console.Error.WriteLine($"{bodies.Reporter}: {(int)response.StatusCode} {answer}");
                }

                continue;
            }

            loop.AllBatches++;
            if (t0 >= measureFrom && t1 <= stopAt)
            {
                loop.Latencies.Add(t1 - t0);
            }
        }

        return loop;
    }

    private sealed class PostLoop
    {
        public List<long> Latencies { get; } = new(1 << 14);

        public HashSet<string> Statuses { get; } = [];

        public long AllBatches { get; set; }

        public int Failed { get; set; }
    }
}

/// <summary>Batches that started and ended inside the measured window, and totals over the whole run.</summary>
internal sealed record IngestResult(long[] Latencies, TimeSpan Window, TimeSpan TotalElapsed, long AllReports, int Failed, string Statuses)
{
    public long Batches => Latencies.Length;

    public string Format(IngestSettings settings)
    {
        double Ms(double q) => Latencies.Length == 0 ? 0
            : Latencies[Math.Min(Latencies.Length - 1, (int)(q * Latencies.Length))] * 1000.0 / Stopwatch.Frequency;
        var batchesPerSecond = Batches / Window.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"{settings.Label} reporters={settings.Reporters} batch={settings.BatchSize} inflight={settings.InFlight} {Window.TotalSeconds:F0}s: "
            + $"reports/s={batchesPerSecond * settings.BatchSize:F0} batches/s={batchesPerSecond:F0} "
            + $"p50={Ms(0.50):F2}ms p99={Ms(0.99):F2}ms max={Ms(1.0):F2}ms failed={Failed}{(Failed > 0 ? $" ({Statuses})" : "")}");
    }
}
