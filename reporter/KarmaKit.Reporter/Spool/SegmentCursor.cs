using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace KarmaKit.Reporter.Spool;

internal enum CursorStatus
{
    /// <summary>A whole record is at the position.</summary>
    Record,

    /// <summary>The position is at the limit.</summary>
    End,

    /// <summary>The bytes at the position are not a whole record (torn, garbage or bad checksum).</summary>
    Torn,
}

/// <summary>Reads a segment's records in order through a pooled buffer, never past <see cref="Limit"/>.</summary>
internal sealed class SegmentCursor : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly bool _ownsHandle;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private long _bufferOffset;
    private int _count;

    public SegmentCursor(SafeFileHandle handle, bool ownsHandle, long position, long limit)
    {
        _handle = handle;
        _ownsHandle = ownsHandle;
        Position = position;
        Limit = limit;
    }

    /// <summary>The file offset of the next record.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes past this offset are never read (for the active segment: the durable length).</summary>
    public long Limit { get; set; }

    public static SegmentCursor Open(string path, long position, long limit = long.MaxValue)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new SegmentCursor(handle, ownsHandle: true, position, limit == long.MaxValue ? RandomAccess.GetLength(handle) : limit);
    }

    /// <summary>Looks at the record at <see cref="Position"/> without moving past it.</summary>
    public CursorStatus Peek(out ReadOnlySpan<byte> record, out long sequence)
    {
        record = default;
        sequence = 0;
        var remaining = Limit - Position;
        if (remaining <= 0)
        {
            return CursorStatus.End;
        }

        var available = Fill((int)Math.Min(SpoolRecordCodec.MaxRecordSize, remaining));
        var span = _buffer.AsSpan((int)(Position - _bufferOffset), available);
        if (SpoolRecordCodec.Check(span, out var length, out sequence) != RecordStatus.Whole)
        {
            return CursorStatus.Torn;
        }

        record = span[..length];
        return CursorStatus.Record;
    }

    public void Advance(int length) => Position += length;

    /// <summary>Makes at least <paramref name="needed"/> bytes from <see cref="Position"/> buffered if the file has them.</summary>
    private int Fill(int needed)
    {
        var start = Position - _bufferOffset;
        if (start >= 0 && start + needed <= _count)
        {
            return needed;
        }

        if (start >= 0 && start < _count)
        {
            _buffer.AsSpan((int)start, _count - (int)start).CopyTo(_buffer);
            _count -= (int)start;
        }
        else
        {
            _count = 0;
        }

        _bufferOffset = Position;
        while (_count < needed)
        {
            var toRead = (int)Math.Min(_buffer.Length - _count, Limit - (_bufferOffset + _count));
            var read = toRead <= 0 ? 0 : RandomAccess.Read(_handle, _buffer.AsSpan(_count, toRead), _bufferOffset + _count);
            if (read == 0)
            {
                break;
            }

            _count += read;
        }

        return Math.Min(needed, _count);
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        if (_ownsHandle)
        {
            _handle.Dispose();
        }
    }
}
