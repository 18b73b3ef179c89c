using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KarmaKit.Benchmarks.Ingest;

/// <summary>
/// karmakit-collector as a child process for the ingest benchmark: its own build output, a fresh directory for
/// karma.log and data, one token per benchmark reporter, the rate limit out of the way, logging at Warning
/// (the per-batch Information line is not what is being measured).
/// </summary>
internal sealed class CollectorChild : IDisposable
{
    private readonly Process _process;

    private CollectorChild(Process process, Uri url, string log)
    {
        _process = process;
        Url = url;
        LogPath = log;
    }

    public Uri Url { get; }

    public string LogPath { get; }

    public TimeSpan CpuTime => _process.TotalProcessorTime;

    /// <summary>Peak resident set (VmHWM), in MiB; 0 when /proc does not tell.</summary>
    public double PeakRssMiB
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    public static string DefaultBinary()
    {
        // AppContext.BaseDirectory is artifacts/bin/KarmaKit.Benchmarks/<configuration>/.
        var mine = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(mine.Parent!.Parent!.FullName, "KarmaKit.Collector", mine.Name, "karmakit-collector");
    }

    public static async Task<CollectorChild> StartAsync(string binary, string directory, IReadOnlyList<(string Name, string Token)> reporters, IEnumerable<string> extra)
    {
        var port = FreePort();
        var config = Path.Combine(directory, "collector.json");
        File.WriteAllText(config, "{}");
        var log = Path.Combine(directory, "karma.log");
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = false, RedirectStandardError = false };
        foreach (var argument in new[]
        {
            "run", "--config", config,
            $"--Collector:Http=http://127.0.0.1:{port}",
            $"--Collector:Log={log}",
            $"--Collector:Data={Path.Combine(directory, "data")}",
            "--Collector:Ingest:RateLimit:Burst=1000000",
            "--Collector:Ingest:RateLimit:BatchesPerPeriod=1000000",
            "--Logging:LogLevel:Default=Warning",
        })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, token) in reporters)
        {
            info.ArgumentList.Add($"--Collector:Reporters:{name}:Token={token}");
        }

        foreach (var argument in extra)
        {
            info.ArgumentList.Add(argument);
        }

        var child = new CollectorChild(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}/"), log);
        using var client = new HttpClient { BaseAddress = child.Url, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (child._process.HasExited)
            {
                throw new InvalidOperationException($"the collector exited with {child._process.ExitCode}");
            }

            try
            {
                if ((await client.GetAsync("healthz")).IsSuccessStatusCode)
                {
                    return child;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        child.Dispose();
        throw new TimeoutException("the collector did not become healthy within 30 s");
    }

    /// <summary>SIGTERM and wait, so karma.log is closed before its lines are counted.</summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
