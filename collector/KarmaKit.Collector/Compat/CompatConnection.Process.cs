using System.Net;
using System.Text;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Collector.Compat;

internal sealed partial class CompatConnection
{
    private static readonly ReadOnlyMemory<byte> Ok = CompatReplies.Ok.ToArray();
    private static readonly ReadOnlyMemory<byte> Unavailable = CompatReplies.Unavailable.ToArray();
    private static readonly ReadOnlyMemory<byte> Unconfirmed = CompatReplies.Unconfirmed.ToArray();

    /// <summary>
    /// Parses every non-blank line with the reporter's line grammar (<see cref="LineParser"/>, plus the HTTP ingest's
    /// rule that a reason holds no control character), appends the valid ones in one unbatched append (one group
    /// commit, one fdatasync), and builds one reply line per non-blank line, in order.
    /// </summary>
    private async ValueTask<(byte[] Reply, int Length)> ProcessAsync(ReadOnlyMemory<byte> request, IPAddress source, string reporter, CancellationToken deadline)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var outcomes = new List<LineError>(_options.MaxLinesPerConnection);
        var entries = new List<ReportEntry>(_options.MaxLinesPerConnection);
        var rest = request.Span;
        while (!rest.IsEmpty)
        {
            var lf = rest.IndexOf((byte)'\n');
            var line = lf < 0 ? rest : rest[..lf];
            rest = lf < 0 ? default : rest[(lf + 1)..];
            line = line.EndsWith("\r"u8) ? line[..^1] : line; // the framer allowed 1024 bytes plus CR LF
            if (line.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            var error = Parse(line, now, entries);
            outcomes.Add(error);
            if (error != LineError.None)
            {
                _metrics.CompatLineRefused(error);
            }
        }

        if (outcomes.Count == 0)
        {
            _logger.CompatRequestRefused(source, "empty request");
            return (LineReplies.EmptyRequest.ToArray(), LineReplies.EmptyRequest.Length);
        }

        var stored = entries.Count == 0 ? Ok : await AppendAsync(source, reporter, entries, deadline);
        var reply = new byte[outcomes.Count * LineReplies.MaxLineBytes];
        var length = 0;
        foreach (var outcome in outcomes)
        {
            length += outcome == LineError.None
                ? LineReplies.Write(reply.AsSpan(length), stored.Span)
                : LineReplies.WriteError(reply.AsSpan(length), outcome);
        }

        _logger.CompatServed(source, reporter, outcomes.Count, stored.Equals(Ok) ? entries.Count : 0);
        return (reply, length);
    }

    private static LineError Parse(ReadOnlySpan<byte> line, DateTime now, List<ReportEntry> entries)
    {
        if (!LineParser.TryParse(line, out var report, out var error))
        {
            return error;
        }

        string? reason = null;
        if (!report.Reason.IsEmpty)
        {
            reason = Encoding.UTF8.GetString(report.Reason);
            if (reason.Any(char.IsControl))
            {
                return LineError.ControlCharacter; // C1 controls: the HTTP ingest refuses them too
            }
        }

        entries.Add(new ReportEntry(report.Verb, report.Subject, 1, now, now, reason));
        return LineError.None;
    }

    /// <summary>The reply for every valid line: ok once durable, else why not.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> AppendAsync(IPAddress source, string reporter, List<ReportEntry> entries, CancellationToken deadline)
    {
        try
        {
            var writer = await _log.WriterAsync.WaitAsync(deadline);
            await writer.AppendUnbatchedAsync(reporter, entries, deadline).WaitAsync(deadline);
            _metrics.CompatLinesAccepted(entries.Count);
            _metrics.ReportsAccepted(reporter, entries);
            return Ok;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Queued appends still happen; the caller just cannot be told in time.
            _metrics.CompatLineRefused(CompatRefusal.Unavailable, entries.Count);
            _logger.CompatNotStored(source, reporter, entries.Count, "not confirmed within Collector:Compat:Timeout; they may still be appended");
            return Unconfirmed;
        }
        catch (Exception ex)
        {
            // The log failed to start, is stopping (channel closed) or could not write: the caller must still get an answer.
            _metrics.CompatLineRefused(CompatRefusal.Unavailable, entries.Count);
            _logger.CompatNotStored(source, reporter, entries.Count, ex.Message);
            return Unavailable;
        }
    }
}
