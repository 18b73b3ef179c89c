using System.Diagnostics;
using System.Globalization;
using System.Text;
using KarmaKit.FunctionalTests.Exim;
using KarmaKit.FunctionalTests.EximKit;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.EndToEnd;

/// <summary>
/// A private network and mount namespace (<c>unshare -mn</c>, research note §5) holding the real collector, with its
/// DNS server on 127.0.0.1:53, and the real reporter on 127.0.0.1:7101 shipping to it; only <c>lo</c> exists, and a
/// resolv.conf with <c>nameserver 127.0.0.1</c> is bind-mounted over /etc/resolv.conf, so the host is untouched.
/// Exim runs in it through <c>nsenter</c>. Closing the script's stdin (<see cref="DisposeAsync"/>, or the test
/// process dying) stops both programs, and the namespace goes with its last process. Needs root.
/// </summary>
internal sealed class PrivateNetwork : IAsyncDisposable
{
    public const string ReporterName = "fullloop";
    public const string AgentSocket = "inet:127.0.0.1:7101";
    public const string CollectorUrl = "http://127.0.0.1:8440/";
    private const string Token = "fullloop-functional-test-token-0123456789";

    private const string Script = """
        #!/usr/bin/env bash
        # Runs as the first process of a new network and mount namespace: unshare -mn bash THIS DIR COLLECTOR REPORTER TOKEN
        set -euo pipefail
        dir=$1 collector=$2 reporter=$3 token=$4
        ip link set lo up
        printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' >"$dir/resolv.conf"
        mount --bind "$dir/resolv.conf" /etc/resolv.conf
        pids=()
        stop() { [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; }
        trap stop EXIT
        trap 'exit 0' TERM INT
        listening() { # PORT: wait up to 60 s for a TCP listener on 127.0.0.1:PORT
          for _ in $(seq 600); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
            sleep 0.1
          done
          echo "FAILED nothing listens on 127.0.0.1:$1"; exit 1
        }
        echo '{}' >"$dir/collector.json"
        "$collector" run --config "$dir/collector.json" \
          --Collector:Http=http://127.0.0.1:8440 --Collector:Log="$dir/karma.log" --Collector:Data="$dir/data" \
          --Collector:Dns:Listen=127.0.0.1:53 --Collector:Policy:ListDocumentationRanges=true \
          --Collector:Reporters:fullloop:Token="$token" >"$dir/collector.out" 2>&1 &
        pids+=($!)
        listening 8440
        listening 53 # the DNS server's TCP side; UDP is bound before it
        echo '{}' >"$dir/reporter.json"
        "$reporter" run --config "$dir/reporter.json" --Reporter:Name=fullloop --Reporter:Tcp=127.0.0.1:7101 \
          --Reporter:UnixSocket= --Reporter:Spool="$dir/spool" --Reporter:CollectorUrl=http://127.0.0.1:8440/ \
          --Reporter:Token="$token" >"$dir/reporter.out" 2>&1 &
        pids+=($!)
        listening 7101
        echo READY
        read -r _ || true # until the test closes stdin
        """;

    private readonly Process _process;
    private readonly string _directory;

    private PrivateNetwork(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public int Pid => _process.Id;

    /// <summary>What the collector and the reporter printed, and karma.log, for assertion messages.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        foreach (var file in new[] { "collector.out", "reporter.out", "karma.log" })
        {
            var path = Path.Combine(_directory, file);
            text.Append("\n--- ").Append(file).Append(":\n").Append(File.Exists(path) ? ReadShared(path) : "(none)");
        }

        return text.ToString();
    }

    public static async Task<PrivateNetwork> StartAsync(string directory)
    {
        var script = Path.Combine(directory, "namespace.sh");
        File.WriteAllText(script, Script);
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-mn", "bash", script, directory, Binaries.Collector, Binaries.Reporter, Token })
        {
            info.ArgumentList.Add(argument);
        }

        var network = new PrivateNetwork(Process.Start(info) ?? throw new InvalidOperationException("unshare did not start"), directory);
        var errors = network._process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string? line;
        try
        {
            while ((line = await network._process.StandardOutput.ReadLineAsync(guard.Token)) is not null && line != "READY")
            {
                if (line.StartsWith("FAILED", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            line = null;
        }

        if (line != "READY")
        {
            await network.DisposeAsync();
            throw new InvalidOperationException($"the namespace did not come up ({line ?? "no READY"}); stderr:\n{await errors}{network.Diagnostics()}");
        }

        return network;
    }

    /// <summary>Arguments that run PROGRAM ARGUMENTS inside the namespace: <c>nsenter -t PID -m -n PROGRAM ...</c>.</summary>
    public string[] Enter(string program, params string[] arguments) =>
        ["-t", Pid.ToString(CultureInfo.InvariantCulture), "-m", "-n", program, .. arguments];

    /// <summary>Starts <c>exim -C conf -bh CLIENT</c> inside the namespace and waits for the first reply.</summary>
    public Task<EximSession> StartSessionAsync(EximEnvironment exim, string client) =>
        EximSession.StartAsync("nsenter", Enter(EximEnvironment.EximPath, "-C", exim.ConfigPath, "-bh", client));

    /// <summary><c>exim -C conf -be EXPRESSION</c> inside the namespace: stdout, trimmed.</summary>
    public async Task<string> ExpandAsync(EximEnvironment exim, string expression)
    {
        var result = await ProcessRunner.RunAsync("nsenter", Enter(EximEnvironment.EximPath, "-C", exim.ConfigPath, "-be", expression));
        return result.Output.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the script's read returns; its EXIT trap stops both programs
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(guard.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
