using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>
/// The real karmakit-collector as a child process, from its own build output (<see cref="Binaries"/>), over a test's
/// directory: <c>karma.log</c> and <c>data/</c> under it. Start it again over the same directory and port after a
/// SIGTERM or a SIGKILL to see what a restart makes of the files.
/// </summary>
internal sealed class CollectorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private CollectorProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the collector wrote so far, for assertion messages.</summary>
    public string Output => string.Join('\n', _output);

    public static string LogPath(string directory) => Path.Combine(directory, "karma.log");

    /// <summary>Starts the collector with the given reporters' tokens and waits until <c>/healthz</c> answers ok.</summary>
    public static async Task<CollectorProcess> StartAsync(string directory, int port, IReadOnlyDictionary<string, string> reporters, params string[] extra)
    {
        var info = new ProcessStartInfo(Binaries.Collector)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // An empty file, so a machine's /etc/karmakit/collector.json stays out of the test.
        var config = Path.Combine(directory, "collector.json");
        File.WriteAllText(config, "{}");
        info.ArgumentList.Add("run");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        info.ArgumentList.Add($"--Collector:Http=http://127.0.0.1:{port}");
        info.ArgumentList.Add($"--Collector:Log={LogPath(directory)}");
        info.ArgumentList.Add($"--Collector:Data={Path.Combine(directory, "data")}");
        info.ArgumentList.Add("--Collector:Dns:Listen=127.0.0.1:0"); // a free port: tests run collectors side by side
        info.ArgumentList.Add("--Collector:Policy:ListDocumentationRanges=true"); // the tests' clients are 192.0.2.x, 2001:db8::
        foreach (var (name, token) in reporters)
        {
            info.ArgumentList.Add($"--Collector:Reporters:{name}:Token={token}");
        }

        foreach (var argument in extra)
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

    /// <summary>A port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM, as systemd stops it; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no flush, exactly what a crash leaves.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
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
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(50); // polling for the child to come up, not timing anything
        }

        throw new TimeoutException($"collector did not become healthy within 30 s:\n{Output}");
    }
}
