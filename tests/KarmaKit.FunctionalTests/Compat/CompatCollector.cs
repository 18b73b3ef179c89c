using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using KarmaKit.FunctionalTests.Exim;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.Compat;

/// <summary>karmakit-collector as a child process with its compatibility listener on 127.0.0.1, over a test directory.</summary>
internal sealed class CompatCollector : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private CompatCollector(Process process, string directory, IPEndPoint compat)
    {
        _process = process;
        Directory = directory;
        Compat = compat;
    }

    public string Directory { get; }

    public IPEndPoint Compat { get; }

    public string LogPath => Path.Combine(Directory, "log", "karma.log");

    public string Output => string.Join('\n', _output);

    /// <summary>Starts the collector; <paramref name="sources"/> is <c>Collector:Compat:Sources:&lt;reporter&gt;</c>.</summary>
    public static async Task<CompatCollector> StartAsync(string reporter, string sources)
    {
        var directory = TestDirectories.CreateSearchable("kk-compat-");
        var compat = Readsocket.FreeLoopbackEndPoint();
        var http = Readsocket.FreeLoopbackEndPoint();
        var config = Path.Combine(directory, "collector.json");
        await File.WriteAllTextAsync(config, "{}"); // keeps a machine's /etc/karmakit/collector.json out of the test
        var info = new ProcessStartInfo(Binaries.Collector) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "run", "--config", config,
            $"--Collector:Http=http://{http}",
            $"--Collector:Log={Path.Combine(directory, "log", "karma.log")}",
            $"--Collector:Data={Path.Combine(directory, "data")}",
            $"--Collector:Compat:Tcp={compat}",
            $"--Collector:Compat:Sources:{reporter}={sources}",
            "--Collector:Policy:ListDocumentationRanges=true", // the tests' clients are documentation addresses
        })
        {
            info.ArgumentList.Add(argument);
        }

        var collector = new CompatCollector(Process.Start(info)!, directory, compat);
        collector._process.OutputDataReceived += (_, e) => collector.Collect(e.Data);
        collector._process.ErrorDataReceived += (_, e) => collector.Collect(e.Data);
        collector._process.BeginOutputReadLine();
        collector._process.BeginErrorReadLine();
        await collector.WaitUntilListeningAsync();
        return collector;
    }

    public string[] LogLines() => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    /// <summary>Waits (polling, not timing anything) until the collector's output has a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        var waited = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"no '{text}' in the collector's output:\n{Output}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>
    /// The compat listener logs event 4100 after bind and listen, so connects succeed from then on; waiting for the
    /// line rather than probing keeps every test connection a real one (a probe would count as a refused source).
    /// </summary>
    private async Task WaitUntilListeningAsync()
    {
        var waited = Stopwatch.StartNew();
        while (!Output.Contains("[4100]", StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"collector exited with {_process.ExitCode}:\n{Output}");
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"collector did not start its compatibility listener:\n{Output}");
            }

            await Task.Delay(50);
        }
    }
}
