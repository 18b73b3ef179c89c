using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>The real agent (karmakit-reporter) as a child process, as systemd would run it.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AgentProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the agent wrote to stdout and stderr so far, for assertion messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the agent and waits until its TCP listener accepts, and its unix socket if one is given.</summary>
    /// <param name="unixSocket">Passed as <c>Reporter:UnixSocket</c> and waited for; null disables the unix listener.</param>
    public static async Task<AgentProcess> StartAsync(IPEndPoint tcp, IEnumerable<string> arguments, string? unixSocket = null)
    {
        var info = new ProcessStartInfo(Binaries.Reporter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("run");
        info.ArgumentList.Add($"--Reporter:Tcp={tcp}");
        info.ArgumentList.Add("--Reporter:Name=functional-test");
        info.ArgumentList.Add($"--Reporter:UnixSocket={unixSocket}");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The host's own file is not wanted here; a missing default file means defaults.
        info.Environment["KARMAKIT_Logging__LogLevel__Default"] = "Information";
        var agent = new AgentProcess(Process.Start(info)!);
        agent._process.OutputDataReceived += (_, e) => agent.Collect(e.Data);
        agent._process.ErrorDataReceived += (_, e) => agent.Collect(e.Data);
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        await agent.WaitUntilListeningAsync(tcp);
        if (unixSocket is not null)
        {
            // The TCP listener is bound first: the unix socket may still be a moment away.
            await agent.WaitUntilListeningAsync(new UnixDomainSocketEndPoint(unixSocket));
        }

        return agent;
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilListeningAsync(EndPoint endPoint)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"agent exited with {_process.ExitCode}:\n{Output}");
            }

            using var probe = endPoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endPoint);
                return; // the probe's empty request is answered with an error and not spooled
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"agent did not listen on {endPoint} within 30 s:\n{Output}");
    }

    /// <summary>kill -9: no chance to flush, close or say goodbye.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // SIGKILL on Unix
        }

        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as systemd stops it, and wait for a clean exit.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
