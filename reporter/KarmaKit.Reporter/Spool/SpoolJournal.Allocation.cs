using KarmaKit.Reporter.Configuration;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// Zeroed-ahead space in the active segment. An append that grows the file changes its size and block allocation,
/// so its sync must also commit file-system metadata (an ext4 journal commit on top of the data); an append that
/// overwrites zeros already written and synced changes no metadata, and fdatasync then writes only the data and
/// one disk cache flush. So the writer keeps up to <see cref="ZeroAheadBytes"/> of
/// real zeros (not fallocate, whose unwritten extents would need converting on write) past the last record,
/// written after a group's callers were answered, never past the segment size nor the room left under
/// <c>MaxBytes</c> (so the files on disk stay under the cap; <see cref="TotalBytes"/> counts records only).
/// Recovery treats zeros after the last record as the end of the segment; a clean close or a rollover cuts them off.
/// </summary>
internal sealed partial class SpoolJournal
{
    private const int ZeroAheadBytes = 1 << 20;
    private static readonly byte[] Zeros = new byte[64 * 1024];

    /// <summary>
    /// Refills the zeroed-ahead space (up to the segment's size) once less than half of it is left. Writer thread
    /// only; Fsync mode only.
    /// </summary>
    private void ZeroAhead()
    {
        var active = _active;
        var room = _options.MaxBytes - TotalBytes;
        var target = Math.Min(_options.SegmentBytes, active.Length + Math.Min(ZeroAheadBytes, room));
        if (_options.Durability != Durability.Fsync || _faulted || target <= active.Allocated || active.Allocated - active.Length >= ZeroAheadBytes / 2)
        {
            return;
        }

        try
        {
            for (var at = active.Allocated; at < target; at += Zeros.Length)
            {
                RandomAccess.Write(_activeHandle, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, target - at)), at);
            }

            SpoolFiles.Flush(_activeHandle);
            active.Allocated = target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Out of disk space, most likely: appends go on growing the file with a full fsync each.
            _logger.ZeroAheadFailed(ex, active.Path);
        }
    }

    /// <summary>Cuts the zeros after the last record off a segment that stops being written (rollover, close).</summary>
    private void TrimZeroedAhead(JournalSegment segment)
    {
        if (segment.Allocated <= segment.Length)
        {
            return;
        }

        try
        {
            RandomAccess.SetLength(_activeHandle, segment.Length);
            SpoolFiles.Flush(_activeHandle);
            segment.Allocated = segment.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Harmless: recovery reads zeros after the last record as the segment's end.
            _logger.ZeroAheadFailed(ex, segment.Path);
        }
    }
}
