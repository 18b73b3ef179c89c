using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>Debian's rbldnsd in the foreground on a free loopback UDP port, serving datasets from one directory.</summary>
internal sealed class RbldnsdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private RbldnsdProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Output => string.Join('\n', _output);

    /// <summary>Starts rbldnsd (as user rbldns: it refuses root) and waits until it has loaded its data and bound its socket.</summary>
    /// <param name="datasets"><c>zone:type:file</c>, files relative to <paramref name="directory"/>, which rbldns must be able to read.</param>
    public static async Task<RbldnsdProcess> StartAsync(string directory, params string[] datasets)
    {
        var port = FreeUdpPort();
        var info = new ProcessStartInfo("rbldnsd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-n", "-u", "rbldns", "-b", $"127.0.0.1/{port}", "-w", directory, .. datasets])
        {
            info.ArgumentList.Add(argument);
        }

        var rbldnsd = new RbldnsdProcess(Process.Start(info) ?? throw new InvalidOperationException("rbldnsd did not start (apt-get install rbldnsd)"), port);
        rbldnsd._process.OutputDataReceived += (_, e) => rbldnsd.Collect(e.Data);
        rbldnsd._process.ErrorDataReceived += (_, e) => rbldnsd.Collect(e.Data);
        rbldnsd._process.BeginOutputReadLine();
        rbldnsd._process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (!rbldnsd.Output.Contains(" started (", StringComparison.Ordinal)) // "rbldnsd version ... started (1 socket(s), 2 zone(s))"
        {
            Assert.False(rbldnsd._process.HasExited, $"rbldnsd exited with {(rbldnsd._process.HasExited ? rbldnsd._process.ExitCode : 0)}:\n{rbldnsd.Output}");
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"rbldnsd did not answer within 30 s:\n{rbldnsd.Output}");
            await Task.Delay(50); // polling for the child to come up, not timing anything
        }

        return rbldnsd;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
