using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.RunLocal;

/// <summary>
/// The README's main command, <c>./run-local.sh</c>, for real: it starts the collector and the reporter wired with a
/// token, a report sent by hand lands in karma.log, Ctrl-C (SIGINT) stops both, and a second run reuses the token.
/// The state goes to a temp directory (<c>KARMAKIT_RUN_DIR</c>) and the ports are free ones, so a developer's own
/// run is not disturbed; the script runs the Release build the test run was built from (<c>KARMAKIT_NO_BUILD=1</c>).
/// </summary>
[Collection(WholeProcesses.Name)]
public sealed class RunLocalScriptTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("kk-run-local-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    [Fact]
    public async Task RunLocal_ReportByHandThenCtrlC_InKarmaLogAndBothStopped_SecondRunReusesToken()
    {
        var collectorPort = CollectorProcess.FreePort();
        var reporter = Readsocket.FreeLoopbackEndPoint();

        string token;
        await using (var first = await RunLocalProcess.StartAsync(_runDir, collectorPort, reporter))
        {
            Assert.Equal("ok 1\n", await Readsocket.CallAsync(reporter, "black 192.0.2.1 virus Eicar-Test-Signature\n"));
            var line = await WaitForLineAsync("192.0.2.1", first);
            Assert.Equal(("local", "black", "virus Eicar-Test-Signature"), (line.Reporter, line.Verb, line.Reason));
            token = await File.ReadAllTextAsync(Path.Combine(_runDir, "reporter.token"));
            var lookup = await EximKit.ProcessRunner.RunAsync(Binaries.Collector, "lookup", "192.0.2.1", "--token-file", Path.Combine(_runDir, "admin.token"),
                "--config", Path.Combine(_runDir, "collector.json"), $"--Collector:Http=http://127.0.0.1:{collectorPort}");
            Assert.True(lookup.ExitCode == 0, lookup.ToString()); // the admin token run-local.sh made
            Assert.Contains("blocklist: LISTED", lookup.Output, StringComparison.Ordinal);

            Assert.Equal(130, await first.InterruptAsync()); // Ctrl-C
            Assert.Contains("stopped", first.Output, StringComparison.Ordinal);
        }

        await AssertNothingListensAsync(collectorPort, reporter);

        await using (var second = await RunLocalProcess.StartAsync(_runDir, collectorPort, reporter))
        {
            Assert.Equal("ok 2\n", await Readsocket.CallAsync(reporter, "white 2001:db8::7 known good\n"));
            await WaitForLineAsync("2001:db8::7", second);
            Assert.Equal(token, await File.ReadAllTextAsync(Path.Combine(_runDir, "reporter.token")));
            Assert.DoesNotContain("made a token", second.Output, StringComparison.Ordinal);
            Assert.Equal(130, await second.InterruptAsync());
        }

        Assert.Equal(["192.0.2.1", "2001:db8::7"], KarmaLogFile.Read(Path.Combine(_runDir, "karma.log")).Select(l => l.Subject));
    }

    private async Task<KarmaLogLine> WaitForLineAsync(string subject, RunLocalProcess run)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (KarmaLogFile.Read(Path.Combine(_runDir, "karma.log")).FirstOrDefault(l => l.Subject == subject) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{subject} did not reach karma.log within 30 s:\n{run.Output}\n{run.ProgramOutput()}");
    }

    private static async Task AssertNothingListensAsync(int collectorPort, IPEndPoint reporter)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{collectorPort}/healthz")));
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => Readsocket.CallAsync(reporter, "black 192.0.2.9\n"));
    }

    /// <summary><c>run-local.sh</c> as a child process, its stdout and stderr collected.</summary>
    private sealed class RunLocalProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly string _runDir;

        private RunLocalProcess(Process process, string runDir)
        {
            _process = process;
            _runDir = runDir;
        }

        public string Output => string.Join('\n', _output);

        public static async Task<RunLocalProcess> StartAsync(string runDir, int collectorPort, IPEndPoint reporter)
        {
            var script = Path.Combine(RepositoryRoot(), "run-local.sh");
            // env --default-signal=INT: a shell started with SIGINT ignored (a background job's lot) could not trap it.
            var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "--default-signal=INT", "bash", script, $"--Collector:Http=http://127.0.0.1:{collectorPort}", "--Collector:Dns:Listen=127.0.0.1:0", $"--Reporter:Tcp={reporter}" })
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment["KARMAKIT_RUN_DIR"] = runDir;
            info.Environment["KARMAKIT_NO_BUILD"] = "1";
            var run = new RunLocalProcess(Process.Start(info)!, runDir);
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            run._process.OutputDataReceived += (_, e) => run.Collect(e.Data, ready);
            run._process.ErrorDataReceived += (_, e) => run.Collect(e.Data, ready);
            run._process.BeginOutputReadLine();
            run._process.BeginErrorReadLine();
            var exited = run._process.WaitForExitAsync();
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            if (first != ready.Task)
            {
                throw new InvalidOperationException($"run-local.sh did not come up:\n{run.Output}\n{run.ProgramOutput()}");
            }

            return run;
        }

        /// <summary>SIGINT, as Ctrl-C sends it; returns the script's exit code.</summary>
        public async Task<int> InterruptAsync()
        {
            using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        /// <summary>What the two programs wrote (the script sends it to files in the run directory).</summary>
        public string ProgramOutput() => string.Join('\n', new[] { "collector.out", "reporter.out" }
            .Select(f => Path.Combine(_runDir, f)).Where(File.Exists).Select(f => $"--- {f}\n{File.ReadAllText(f)}"));

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // Only on a failed test: let the script's trap stop both programs rather than orphan them.
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private static string RepositoryRoot()
        {
            // AppContext.BaseDirectory is artifacts/bin/KarmaKit.FunctionalTests/<configuration>/.
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "run-local.sh")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new FileNotFoundException("run-local.sh not found above " + AppContext.BaseDirectory);
        }

        private void Collect(string? line, TaskCompletionSource ready)
        {
            if (line is null)
            {
                return;
            }

            _output.Enqueue(line);
            if (line.StartsWith("KarmaKit is running", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
    }
}
