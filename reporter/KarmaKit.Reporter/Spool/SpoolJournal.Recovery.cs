using System.Security.Cryptography;
using System.Text;

namespace KarmaKit.Reporter.Spool;

internal sealed partial class SpoolJournal
{
    /// <summary>
    /// Validates every record of every segment in order, sets aside each torn tail, deletes segments already
    /// delivered, and opens the active segment for appends.
    /// </summary>
    private void Recover()
    {
        System.IO.Directory.CreateDirectory(_paths.Journal);
        System.IO.Directory.CreateDirectory(_paths.Torn);
        File.Delete(_paths.State + ".tmp");
        File.Delete(_paths.Id + ".tmp");
        SpoolId = LoadOrCreateId();
        _state = SpoolState.Load(_paths.State);

        var strangers = new List<string>();
        var previous = 0L;
        long records = 0;
        foreach (var (first, path) in _paths.ListSegments(strangers))
        {
            var (length, count) = RecoverSegment(first, path, ref previous);
            records += count;
            _segments.Add(new JournalSegment(first, path, length, count > 0 ? previous : first - 1));
            _totalBytes += length;
        }

        foreach (var stranger in strangers)
        {
            _logger.UnknownJournalFile(stranger);
        }

        var pending = _state.Pending?.LastSequence ?? 0;
        var lastNamed = _segments.Count > 0 ? _segments[^1].FirstSequence - 1 : 0;
        _nextSequence = Math.Max(Math.Max(previous, lastNamed), Math.Max(Math.Max(_state.DeliveredThrough, _state.SequenceFloor), pending)) + 1;
        _committedSequence = previous;
        _openedThrough = _nextSequence - 1;
        RaiseFloor(_openedThrough);
        if (_segments.Count == 0)
        {
            _segments.Add(CreateSegment(_nextSequence));
            _totalBytes += SpoolRecordCodec.SegmentHeaderSize;
        }

        _active = _segments[^1];
        _activeHandle = OpenSegment(_active.Path);
        FreeSegments();
        _logger.SpoolOpened(_paths.Directory, SpoolId, _options.Durability, _segments.Count, _totalBytes, records, previous, _state.DeliveredThrough);
    }

    /// <summary>Checks one segment; returns its length after any torn tail was set aside and its whole records.</summary>
    private (long Length, long Records) RecoverSegment(long first, string path, ref long previous)
    {
        using var handle = OpenSegment(path);
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> magic = stackalloc byte[SpoolRecordCodec.SegmentHeaderSize];
        if (fileLength < magic.Length || RandomAccess.Read(handle, magic, 0) < magic.Length || !magic.SequenceEqual(SpoolRecordCodec.SegmentMagic))
        {
            _ = SetAside(handle, path, 0, fileLength, 0);
            RandomAccess.Write(handle, SpoolRecordCodec.SegmentMagic, 0);
            SpoolFiles.Flush(handle);
            return (SpoolRecordCodec.SegmentHeaderSize, 0);
        }

        using var cursor = new SegmentCursor(handle, ownsHandle: false, SpoolRecordCodec.SegmentHeaderSize, fileLength);
        var last = Math.Max(previous, first - 1);
        long records = 0;
        while (true)
        {
            var status = cursor.Peek(out var record, out var sequence);
            if (status == CursorStatus.End)
            {
                break;
            }

            if (status == CursorStatus.Torn || sequence <= last)
            {
                var dataEnd = EndOfData(handle, cursor.Position, fileLength);
                if (dataEnd == cursor.Position)
                {
                    // Only zeros: the zeroed-ahead space of a segment the agent did not close, not a tear.
                    RandomAccess.SetLength(handle, cursor.Position);
                    SpoolFiles.Flush(handle);
                    break;
                }

                var (salvageable, highest) = FindWholeRecords(handle, cursor.Position, dataEnd);
                RaiseFloor(highest);
                var torn = SetAside(handle, path, cursor.Position, dataEnd, records);
                if (salvageable > 0)
                {
                    _logger.WholeRecordsSetAside(salvageable, highest, path, torn);
                }

                break;
            }

            last = sequence;
            records++;
            cursor.Advance(record.Length);
        }

        previous = Math.Max(previous, last);
        return (cursor.Position, records);
    }

    /// <summary>
    /// Where the bytes after <paramref name="offset"/> stop being zero: <paramref name="offset"/> itself when the rest
    /// of the file is zeros. The writer zero-fills ahead of its appends, so an unclean stop leaves zeros after the
    /// last record; only non-zero bytes can be a torn record.
    /// </summary>
    private static long EndOfData(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long fileLength)
    {
        var buffer = new byte[64 * 1024];
        for (var end = fileLength; end > offset;)
        {
            var start = Math.Max(offset, end - buffer.Length);
            var block = buffer.AsSpan(0, (int)(end - start));
            if (RandomAccess.Read(handle, block, start) < block.Length)
            {
                return end; // shorter than its length said: leave it to the caller as data
            }

            var last = block.LastIndexOfAnyExcept((byte)0);
            if (last >= 0)
            {
                return start + last + 1;
            }

            end = start;
        }

        return offset;
    }

    /// <summary>
    /// Looks for whole records at every offset after a damaged one (a record damaged in the middle of a segment,
    /// not a torn tail). Their sequences may have been acknowledged, so none of them may ever be handed out again.
    /// </summary>
    private static (long Records, long HighestSequence) FindWholeRecords(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long end)
    {
        using var cursor = new SegmentCursor(handle, ownsHandle: false, offset + 1, end);
        long records = 0;
        long highest = 0;
        while (true)
        {
            var status = cursor.Peek(out var record, out var sequence);
            if (status == CursorStatus.End)
            {
                return (records, highest);
            }

            if (status == CursorStatus.Record)
            {
                records++;
                highest = Math.Max(highest, sequence);
                cursor.Advance(record.Length);
            }
            else
            {
                cursor.Advance(1);
            }
        }
    }

    /// <summary>Persists a higher sequence floor before the records that justify it are moved out of the journal.</summary>
    private void RaiseFloor(long sequence)
    {
        if (sequence > _state.SequenceFloor)
        {
            var state = _state with { SequenceFloor = sequence };
            state.Save(_paths.State);
            _state = state;
        }
    }

    /// <summary>
    /// Copies the bytes from <paramref name="offset"/> to <paramref name="end"/> (the last non-zero byte, or the file's end)
    /// into torn/, then truncates the segment at <paramref name="offset"/>.
    /// </summary>
    private string SetAside(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path, long offset, long end, long records)
    {
        var tornPath = Path.Combine(_paths.Torn, $"{Path.GetFileName(path)}.{offset}.torn");
        for (var n = 1; File.Exists(tornPath); n++)
        {
            tornPath = Path.Combine(_paths.Torn, $"{Path.GetFileName(path)}.{offset}.{n}.torn");
        }

        using (var torn = File.OpenHandle(tornPath, FileMode.CreateNew, FileAccess.Write))
        {
            var buffer = new byte[64 * 1024];
            for (var at = offset; at < end;)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - at)), at);
                if (read == 0)
                {
                    break;
                }

                RandomAccess.Write(torn, buffer.AsSpan(0, read), at - offset);
                at += read;
            }

            SpoolFiles.Flush(torn);
        }

        SpoolFiles.FlushDirectory(_paths.Torn);
        RandomAccess.SetLength(handle, offset);
        SpoolFiles.Flush(handle);
        _logger.TornTailSetAside(path, offset, records, end - offset, tornPath);
        return tornPath;
    }

    private string LoadOrCreateId()
    {
        if (File.Exists(_paths.Id))
        {
            var text = File.ReadAllText(_paths.Id).Trim();
            if (text.Length == 16 && text.All(char.IsAsciiHexDigit))
            {
                return text;
            }

            throw new InvalidOperationException($"spool id file {_paths.Id} does not hold 16 hex digits");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        SpoolFiles.ReplaceAtomically(_paths.Id, Encoding.ASCII.GetBytes(id + "\n"));
        _logger.SpoolCreated(_paths.Directory, id);
        return id;
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenSegment(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Creates an empty segment durably (header, fsync, directory fsync) so records in it can be acknowledged.</summary>
    private JournalSegment CreateSegment(long firstSequence)
    {
        var path = _paths.Segment(firstSequence);
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            RandomAccess.Write(handle, SpoolRecordCodec.SegmentMagic, 0);
            SpoolFiles.Flush(handle);
        }

        SpoolFiles.FlushDirectory(_paths.Journal);
        _logger.SegmentStarted(path);
        return new JournalSegment(firstSequence, path, SpoolRecordCodec.SegmentHeaderSize, firstSequence - 1);
    }
}
