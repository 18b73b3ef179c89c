using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.Systemd;

/// <summary>
/// Both units say <c>Type=notify</c>: systemd considers a service started only when it sends <c>READY=1</c> to
/// <c>$NOTIFY_SOCKET</c>. This machine has no systemd as PID 1, so the test plays systemd's side of that protocol
/// with a real unix datagram socket and runs the real programs against it, as PID 1 of a PID namespace.
/// </summary>
public sealed class NotifyTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("kk-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Reporter_TellsSystemdReadyOnceListening_AndStoppingOnSigterm()
    {
        var tcp = Readsocket.FreeLoopbackEndPoint();
        var messages = await RunUnderNotifySocketAsync(
            Binaries.Reporter,
            ["run", $"--Reporter:Tcp={tcp}", "--Reporter:UnixSocket=", $"--Reporter:Spool={Path.Combine(_dir, "spool")}", "--Reporter:Name=notify-test"],
            ready: async () =>
            {
                // READY=1 promises that Exim can report now.
                var reply = await Readsocket.CallAsync(tcp, "black 192.0.2.44 notify-test\n");
                Assert.StartsWith("ok ", reply, StringComparison.Ordinal);
            });

        Assert.Contains("READY=1", messages[0], StringComparison.Ordinal);
        Assert.Contains(messages, m => m.Contains("STOPPING=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Collector_TellsSystemdReadyOnceServing_AndStoppingOnSigterm()
    {
        var port = Readsocket.FreeLoopbackEndPoint().Port;
        File.WriteAllText(Path.Combine(_dir, "collector.json"), "{}");
        var messages = await RunUnderNotifySocketAsync(
            Binaries.Collector,
            ["run", "--config", Path.Combine(_dir, "collector.json"), $"--Collector:Http=http://127.0.0.1:{port}",
             $"--Collector:Log={Path.Combine(_dir, "karma.log")}", $"--Collector:Data={Path.Combine(_dir, "data")}", "--Collector:Dns:Listen=127.0.0.1:0"],
            ready: async () =>
            {
                using var http = new HttpClient();
                Assert.Equal("ok\n", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/healthz")));
            });

        Assert.Contains("READY=1", messages[0], StringComparison.Ordinal);
        Assert.Contains(messages, m => m.Contains("STOPPING=1", StringComparison.Ordinal));
    }

    /// <summary>Starts the program with NOTIFY_SOCKET set, waits for its first message, runs <paramref name="ready"/>, stops it with SIGTERM.</summary>
    private async Task<List<string>> RunUnderNotifySocketAsync(string program, string[] arguments, Func<Task> ready)
    {
        var path = Path.Combine(_dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        // .NET's systemd integration (10.0) acts when its parent process is systemd, or when it is PID 1 with
        // NOTIFY_SOCKET set (a service in a container). unshare puts the program in a new PID namespace as PID 1.
        var info = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--fork");
        info.ArgumentList.Add("--pid");
        info.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["NOTIFY_SOCKET"] = path;
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var messages = new List<string>();
        try
        {
            messages.Add(await ReceiveAsync(socket));
            await ready();
            // SIGTERM to the program itself (unshare's child), as systemd stops a service; unshare exits with its status.
            using (var kill = Process.Start("pkill", ["-TERM", "-P", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            while (!messages[^1].Contains("STOPPING=1", StringComparison.Ordinal))
            {
                messages.Add(await ReceiveAsync(socket));
            }

            using var exit = new CancellationTokenSource(Patience);
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);
            return messages;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
