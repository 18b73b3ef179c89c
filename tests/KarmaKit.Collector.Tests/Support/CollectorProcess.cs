using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KarmaKit.Collector.Tests.Support;

/// <summary>karmakit-collector as a child process over a test's files, so a test can SIGKILL it mid-write.</summary>
internal sealed class CollectorProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private CollectorProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public string Output => string.Join('\n', _output);

    public static async Task<CollectorProcess> StartAsync(string directory, int port)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "karmakit-collector"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "run",
            "--config", EmptyConfig(directory),
            $"--Collector:Http=http://127.0.0.1:{port}",
            "--Collector:Dns:Listen=127.0.0.1:0",
            "--Collector:Policy:ListDocumentationRanges=true", // the tests' clients are 192.0.2.x, 2001:db8::
            $"--Collector:Log={Path.Combine(directory, "log", "karma.log")}",
            $"--Collector:Data={Path.Combine(directory, "data")}",
            $"--Collector:Reporters:{TestCollector.Reporter1}:Token={TestCollector.Token1}",
            "--Collector:Ingest:RateLimit:Burst=1000000",
            "--Collector:Ingest:RateLimit:BatchesPerPeriod=1000000",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var collector = new CollectorProcess(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}/"));
        collector._process.OutputDataReceived += (_, e) => collector.Collect(e.Data);
        collector._process.ErrorDataReceived += (_, e) => collector.Collect(e.Data);
        collector._process.BeginOutputReadLine();
        collector._process.BeginErrorReadLine();
        await collector.WaitUntilHealthyAsync();
        return collector;
    }

    /// <summary>An empty configuration file, so a machine's /etc/karmakit/collector.json stays out of the test.</summary>
    private static string EmptyConfig(string directory)
    {
        var path = Path.Combine(directory, "collector.json");
        File.WriteAllText(path, "{}");
        return path;
    }

    /// <summary>A port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL: no shutdown, no flush, exactly what a crash leaves.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: a clean stop (the writer drained, the state snapshot saved), then waits for the exit.</summary>
    public void Stop()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"collector did not stop on SIGTERM:\n{Output}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"collector exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync("healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50); // polling for the child to come up, not timing anything
        }

        throw new TimeoutException($"collector did not become healthy:\n{Output}");
    }
}
