namespace KarmaKit.Reporter.Spool;

/// <summary>What <c>karmakit-reporter status</c> shows about a spool.</summary>
/// <param name="QueueDepth">Undelivered records (sequence numbers after the delivered watermark).</param>
/// <param name="OldestUndelivered">Received time of the oldest undelivered record; null when none.</param>
/// <param name="LastDelivery">When the collector last accepted a batch; null if never.</param>
/// <param name="JournalBytes">Bytes of all segment files up to their last whole record (a running agent's zeroed-ahead space not counted).</param>
internal sealed record SpoolStatus(
    string? SpoolId,
    long QueueDepth,
    DateTime? OldestUndelivered,
    DateTime? LastDelivery,
    long DeadLetteredBatches,
    long JournalBytes,
    int SegmentCount,
    long DeliveredThrough,
    long LastSequence,
    InFlightBatch? PendingBatch);

/// <summary>
/// Reads a spool directory without its lock and without writing, so it works while an agent runs it.
/// It reads only the state file, the segment holding the oldest undelivered record and the newest segment:
/// sequences are consecutive, so the queue depth is the last sequence minus the delivered watermark
/// (exact unless records were lost to a torn tail). A record being written right now may or may not be counted.
/// </summary>
internal static class SpoolInspector
{
    public static SpoolStatus Inspect(string directory)
    {
        var paths = new SpoolPaths(directory);
        var state = SpoolState.Load(paths.State);
        var id = File.Exists(paths.Id) ? File.ReadAllText(paths.Id).Trim() : null;
        var segments = paths.ListSegments();
        long bytes = 0;
        var count = 0;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var info = new FileInfo(segments[i].Path);
            if (info.Exists)
            {
                bytes += info.Length;
                count++;
            }
        }

        var delivered = state.DeliveredThrough;
        var last = delivered;
        var found = false;
        for (var i = segments.Count - 1; i >= 0 && !found; i--)
        {
            var end = Scan(segments[i].Path, (sequence, _) =>
            {
                found = true;
                last = Math.Max(last, sequence);
                return true;
            });
            if (i == segments.Count - 1 && end > 0)
            {
                // The active segment: the agent keeps zeros ahead of its last record; count records only.
                bytes += end;
                count++;
            }
        }

        DateTime? oldest = null;
        for (var i = 0; i < segments.Count && oldest is null && last > delivered; i++)
        {
            if (i + 1 < segments.Count && segments[i + 1].FirstSequence <= delivered + 1)
            {
                continue;
            }

            Scan(segments[i].Path, (sequence, received) =>
            {
                if (sequence > delivered)
                {
                    oldest = received;
                    return false;
                }

                return true;
            });
        }

        return new SpoolStatus(id, last - delivered, oldest, state.LastDelivery, state.DeadLetteredBatches, bytes, count, delivered, last, state.Pending);
    }

    /// <summary>
    /// Visits whole records in order until <paramref name="visit"/> returns false; returns the offset where it stopped
    /// (after the last whole record when it visited them all), or 0 for a vanished file.
    /// </summary>
    private static long Scan(string path, Func<long, DateTime, bool> visit)
    {
        try
        {
            using var cursor = SegmentCursor.Open(path, SpoolRecordCodec.SegmentHeaderSize);
            while (cursor.Peek(out var record, out var sequence) == CursorStatus.Record)
            {
                if (!visit(sequence, SpoolRecordCodec.ReadReceived(record)))
                {
                    break;
                }

                cursor.Advance(record.Length);
            }

            return cursor.Position;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return 0; // freed by the running agent after we listed it
        }
    }
}
