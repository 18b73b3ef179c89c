using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>
/// Drives <c>exim -bh</c>: SMTP replies come on stdout after four <c>****</c> lines; would-be log lines
/// (<c>LOG: ...</c>) and the ACL trace come on stderr. The ACLs run as Debian-exim, as in the daemon.
/// </summary>
internal sealed class EximSession : SmtpDialog
{
    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;

    private EximSession(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(PumpStdoutAsync(), PumpStderrAsync());
    }

    /// <summary>Everything Exim wrote to stderr so far: <c>LOG:</c> lines and the ACL trace.</summary>
    public string ErrorOutput
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The would-be log lines, without the <c>LOG: </c> prefix.</summary>
    public IEnumerable<string> LogLines =>
        ErrorOutput.Split('\n').Where(l => l.StartsWith("LOG: ", StringComparison.Ordinal)).Select(l => l[5..].TrimEnd('\r'));

    public static async Task<EximSession> StartAsync(string exim, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(exim)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var session = new EximSession(Process.Start(start) ?? throw new InvalidOperationException("exim did not start"));
        session.Banner = await session.ReadReplyAsync();
        return session;
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(guard.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _readers;
        _process.Dispose();
    }

    protected override async Task WriteLineAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    protected override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        await _stdout.Reader.WaitToReadAsync(cancellationToken) && _stdout.Reader.TryRead(out var line) ? line : null;

    protected override string Diagnostics() => "; exim stderr:\n" + ErrorOutput;

    private async Task PumpStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            await _stdout.Writer.WriteAsync(line.TrimEnd('\r'));
        }

        _stdout.Writer.Complete();
    }

    private async Task PumpStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_stderr)
            {
                _stderr.Append(line).Append('\n');
            }
        }
    }
}
