using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>
/// A real Exim daemon in the foreground (<c>-bdf</c>) on a free loopback port, for what <c>-bh</c> cannot
/// show: the daemon's own process and the compressed client addresses it sends (<c>::1</c>).
/// </summary>
internal sealed class EximDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _mainLog;

    private EximDaemon(Process process, int port, string mainLog)
    {
        _process = process;
        Port = port;
        _mainLog = mainLog;
    }

    public int Port { get; }

    public static async Task<EximDaemon> StartAsync(string exim, string config, string mainLog)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(exim) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-C", config, "-DKK_PORT=" + port.ToString(CultureInfo.InvariantCulture), "-bdf" })
        {
            start.ArgumentList.Add(argument);
        }

        var daemon = new EximDaemon(Process.Start(start) ?? throw new InvalidOperationException("exim did not start"), port, mainLog);
        await daemon.WaitListeningAsync();
        return daemon;
    }

    public Task<SmtpConnection> ConnectAsync(IPAddress address) => SmtpConnection.ConnectAsync(new IPEndPoint(address, Port));

    /// <summary>The daemon's main log so far (Exim writes it as Debian-exim under the environment's log/).</summary>
    public async Task<string[]> ReadMainLogAsync() => File.Exists(_mainLog) ? await File.ReadAllLinesAsync(_mainLog) : [];

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitListeningAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
                return;
            }
            catch (SocketException) when (clock.Elapsed < SmtpDialog.ReplyTimeout && !_process.HasExited)
            {
                await Task.Delay(20);
            }
            catch (SocketException ex)
            {
                var error = _process.HasExited ? await _process.StandardError.ReadToEndAsync() : "";
                throw new InvalidOperationException($"exim daemon not listening on port {Port}: {error}", ex);
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
