using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>
/// A real NSD (Debian's nsd) as a secondary, in the foreground (<c>nsd -d</c>), run as root with every file in a test's
/// directory and its own port: it transfers the given zones from a primary and accepts NOTIFY from 127.0.0.1.
/// </summary>
internal sealed class NsdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _logFile;

    private NsdProcess(Process process, string logFile, int port)
    {
        _process = process;
        _logFile = logFile;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What NSD wrote to its log and its terminal, for assertion messages.</summary>
    public string Output => string.Join('\n', _output) + "\n" + (File.Exists(_logFile) ? File.ReadAllText(_logFile) : "");

    public static NsdProcess Start(string directory, int port, string primary, params string[] zones)
    {
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "nsd.conf");
        var logFile = Path.Combine(directory, "nsd.log");
        File.WriteAllText(config, Config(directory, port, primary, zones));
        var info = new ProcessStartInfo("nsd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);
        var process = Process.Start(info) ?? throw new InvalidOperationException("nsd did not start (apt-get install nsd)");
        var nsd = new NsdProcess(process, logFile, port);
        process.OutputDataReceived += (_, e) => nsd.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => nsd.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return nsd;
    }

    /// <summary>
    /// The nsd.conf an operator would write for a KarmaKit primary (as in the README), with the paths in
    /// <paramref name="directory"/>, no privilege drop, and RRL off (Debian's default of 200/s would throttle a test).
    /// </summary>
    public static string Config(string directory, int port, string primary, IEnumerable<string> zones)
    {
        var text = $"""
            server:
              ip-address: 127.0.0.1@{port.ToString(CultureInfo.InvariantCulture)}
              port: {port.ToString(CultureInfo.InvariantCulture)}
              username: ""
              chroot: ""
              zonesdir: "{directory}"
              database: ""
              zonelistfile: "{directory}/zone.list"
              xfrdfile: "{directory}/xfrd.state"
              xfrdir: "{directory}"
              pidfile: "{directory}/nsd.pid"
              logfile: "{directory}/nsd.log"
              server-count: 1
              verbosity: 2
              rrl-ratelimit: 0
              minimal-responses: yes
            remote-control:
              control-enable: no

            """;
        foreach (var zone in zones)
        {
            text += $"""
                zone:
                  name: {zone}
                  request-xfr: {primary} NOKEY
                  allow-notify: 127.0.0.1 NOKEY

                """;
        }

        return text;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: NSD stops its server and xfrd children itself.
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
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
}
