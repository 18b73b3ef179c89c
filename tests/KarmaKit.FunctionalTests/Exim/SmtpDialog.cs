using System.Text;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>One SMTP reply: the code and every line's text after <c>NNN-</c> / <c>NNN </c>.</summary>
internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public override string ToString() => $"{Code} {string.Join(" | ", Lines)}";
}

/// <summary>
/// The client side of an SMTP conversation, one command at a time, each waiting for its whole reply
/// (a body without its final CRLF.CRLF would make Exim wait its 5-minute data timeout).
/// </summary>
internal abstract class SmtpDialog : IAsyncDisposable
{
    /// <summary>Far above anything expected, so a stuck Exim fails the test instead of hanging it.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(15);

    public SmtpReply? Banner { get; protected set; }

    /// <summary>Sends one command line and waits for its whole reply.</summary>
    public async Task<SmtpReply> SendAsync(string command)
    {
        await WriteLineAsync(command + "\r\n");
        return await ReadReplyAsync();
    }

    public async Task<SmtpReply> ExpectAsync(string command, int code)
    {
        var reply = await SendAsync(command);
        if (reply.Code != code)
        {
            throw new InvalidOperationException($"'{command}' got {reply}, expected {code}{Diagnostics()}");
        }

        return reply;
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

    /// <summary>Reads lines until one of the form <c>NNN text</c> ends the reply; skips anything else (the -bh preamble).</summary>
    public async Task<SmtpReply> ReadReplyAsync()
    {
        using var guard = new CancellationTokenSource(ReplyTimeout);
        var lines = new List<string>();
        try
        {
            while (await ReadLineAsync(guard.Token) is { } line)
            {
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
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"no complete SMTP reply within {ReplyTimeout} (got {lines.Count} lines){Diagnostics()}", ex);
        }

        throw new EndOfStreamException($"the SMTP server closed before a complete reply (got {lines.Count} lines){Diagnostics()}");
    }

    public abstract ValueTask DisposeAsync();

    protected abstract Task WriteLineAsync(string text);

    /// <summary>The next line without its CR LF, or null at the end.</summary>
    protected abstract ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken);

    /// <summary>Extra context for failure messages (stderr of exim -bh).</summary>
    protected virtual string Diagnostics() => "";
}
