using System.Buffers;
using KarmaKit.Protocol.Lines;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Listener;

/// <summary>
/// Turns one framed request into its reply: parses every line, spools all valid ones in ONE append
/// (all or nothing, consecutive sequences), then writes one reply line per non-blank request line, in order.
/// A line that gets an error is never spooled; if the spool refuses, every valid line gets the spool's error.
/// </summary>
internal sealed class RequestProcessor(ISpoolWriter spool, ILogger logger)
{
    /// <summary>
    /// Processes <paramref name="request"/>[..<paramref name="length"/>], which the framer found to hold
    /// <paramref name="lines"/> lines within the limits, and writes the reply into <paramref name="reply"/>
    /// (at least <see cref="Replies.Capacity"/>(lines) bytes). Returns the reply length. Never throws for
    /// spool failures; cancellation only comes from the listener's shutdown.
    /// </summary>
    public async ValueTask<int> ProcessAsync(byte[] request, int length, int lines, byte[] reply, CancellationToken cancellationToken)
    {
        var entries = ArrayPool<SpoolEntry>.Shared.Rent(lines);
        var outcomes = ArrayPool<LineError>.Shared.Rent(lines);
        try
        {
            var (valid, replied) = Parse(request.AsMemory(0, length), outcomes, entries);
            if (replied == 0)
            {
                return LineReplies.Write(reply, LineReplies.EmptyRequest);
            }

            var result = valid == 0 ? new AppendResult(AppendStatus.Ok, 0) : await AppendAsync(entries.AsMemory(0, valid), cancellationToken);
            var written = WriteReply(reply, outcomes.AsSpan(0, replied), result);
            logger.RequestServed(replied, result.Status == AppendStatus.Ok ? valid : 0);
            return written;
        }
        finally
        {
            ArrayPool<SpoolEntry>.Shared.Return(entries, clearArray: true);
            ArrayPool<LineError>.Shared.Return(outcomes);
        }
    }

    private async ValueTask<AppendResult> AppendAsync(ReadOnlyMemory<SpoolEntry> entries, CancellationToken cancellationToken)
    {
        try
        {
            var result = await spool.AppendAsync(entries, cancellationToken);
            if (result.Status != AppendStatus.Ok)
            {
                logger.SpoolRefused(entries.Length, result.Status);
            }

            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new AppendResult(AppendStatus.Unavailable, 0);
        }
        catch (Exception ex)
        {
            // The spool contract says it answers Unavailable on failure; a throw is a bug there, but the
            // caller (Exim) must still get an answer and the listener must live on.
            logger.SpoolAppendFailed(entries.Length, ex);
            return new AppendResult(AppendStatus.Unavailable, 0);
        }
    }

    /// <summary>Parses each non-blank line; returns how many are valid (spool entries) and how many get a reply.</summary>
    internal static (int Valid, int Replied) Parse(ReadOnlyMemory<byte> request, LineError[] outcomes, SpoolEntry[] entries)
    {
        var all = request.Span;
        int valid = 0, replied = 0, start = 0;
        while (start < all.Length)
        {
            var lf = all[start..].IndexOf((byte)'\n');
            var end = lf < 0 ? all.Length : start + lf;
            var line = all[start..end];
            start = end + 1;
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.TrimStart(" \t"u8).IsEmpty)
            {
                continue;
            }

            if (LineParser.TryParse(line, out var report, out var error))
            {
                var reason = ReadOnlyMemory<byte>.Empty;
                if (!report.Reason.IsEmpty && all.Overlaps(report.Reason, out var offset))
                {
                    reason = request.Slice(offset, report.Reason.Length);
                }

                entries[valid++] = new SpoolEntry(report.Verb, report.Subject, reason);
            }

            outcomes[replied++] = error;
        }

        return (valid, replied);
    }

    /// <summary>One reply line per replied line: its parse error, or the append's outcome for the valid ones (ids in order).</summary>
    internal static int WriteReply(Span<byte> reply, ReadOnlySpan<LineError> outcomes, AppendResult result)
    {
        var written = 0;
        var sequence = result.FirstSequence;
        foreach (var outcome in outcomes)
        {
            var line = reply[written..];
            if (outcome != LineError.None)
            {
                written += LineReplies.WriteError(line, outcome);
                continue;
            }

            written += result.Status switch
            {
                AppendStatus.Ok => Replies.WriteOk(line, sequence++),
                AppendStatus.SpoolFull => LineReplies.Write(line, Replies.SpoolFull),
                _ => LineReplies.Write(line, Replies.Unavailable),
            };
        }

        return written;
    }
}
