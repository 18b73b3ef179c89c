using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>One SMTP reply: the code and every line's text after <c>NNN-</c> / <c>NNN </c>.</summary>
internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public override string ToString() => $"{Code} {string.Join(" | ", Lines)}";
}

/// <summary>
/// Drives <c>exim -bh</c> one SMTP command at a time, waiting for each reply (a body without its final
/// CRLF.CRLF would make Exim wait its 5-minute data timeout). SMTP replies come on stdout after four
/// <c>****</c> lines; would-be log lines (<c>LOG: ...</c>) and the ACL trace come on stderr.
/// </summary>
internal sealed class EximSession : IAsyncDisposable
{
    /// <summary>Far above anything expected, so a stuck Exim fails the test instead of hanging it.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(15);

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

    public SmtpReply? Banner { get; private set; }

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

    /// <summary>Sends one command line and waits for its whole reply.</summary>
    public async Task<SmtpReply> SendAsync(string command)
    {
        await _process.StandardInput.WriteAsync(command + "\r\n");
        await _process.StandardInput.FlushAsync();
        return await ReadReplyAsync();
    }

    /// <summary>EHLO, MAIL, RCPT, then DATA with the headers and body; returns the reply to the final dot.</summary>
    public async Task<SmtpReply> SendMessageAsync(string from, string to, IEnumerable<string> headers, string body = "test body")
    {
        await ExpectAsync("EHLO client.example", 250);
        await ExpectAsync($"MAIL FROM:<{from}>", 250);
        await ExpectAsync($"RCPT TO:<{to}>", 250);
        await ExpectAsync("DATA", 354);
        var message = new StringBuilder();
        foreach (var header in headers.Append("Subject: KarmaKit test"))
        {
            message.Append(header).Append("\r\n");
        }

        message.Append("\r\n").Append(body).Append("\r\n.");
        return await SendAsync(message.ToString());
    }

    public async Task<SmtpReply> ExpectAsync(string command, int code)
    {
        var reply = await SendAsync(command);
        if (reply.Code != code)
        {
            throw new InvalidOperationException($"'{command}' got {reply}, expected {code}; stderr:\n{ErrorOutput}");
        }

        return reply;
    }

    /// <summary>Reads lines until one of the form <c>NNN text</c> ends the reply; skips the <c>****</c> preamble.</summary>
    public async Task<SmtpReply> ReadReplyAsync()
    {
        using var guard = new CancellationTokenSource(ReplyTimeout);
        var lines = new List<string>();
        try
        {
            while (true)
            {
                var line = await _stdout.Reader.ReadAsync(guard.Token);
                if (line.Length < 4 || !char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]))
                {
                    continue;
                }

                lines.Add(line[4..]);
                if (line[3] == ' ')
                {
                    return new SmtpReply(int.Parse(line.AsSpan(0, 3), provider: null), lines);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"no complete SMTP reply from exim -bh (got {lines.Count} lines); stderr:\n{ErrorOutput}", ex);
        }
    }

    public async ValueTask DisposeAsync()
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
