namespace KarmaKit.Collector.Compat;

internal enum FrameStatus
{
    /// <summary>No line end yet at the end of the data: wait for more bytes or EOF.</summary>
    NeedMore,

    /// <summary>The data ends at a line end (or at EOF): the request is complete if nothing more is pending.</summary>
    Complete,

    /// <summary>A line is longer than the limit (without its CR LF).</summary>
    LineTooLong,

    /// <summary>More lines than the limit; any byte after the last allowed line counts.</summary>
    TooManyLines,
}

/// <summary>
/// Cuts a compatibility request into lines as its bytes arrive and enforces the limits as early as possible, so the
/// buffer never holds more than <c>maxLines × (maxLineBytes + 2)</c> bytes. Blank lines count toward the limit.
/// </summary>
internal struct Framer(int maxLineBytes, int maxLines)
{
    private int _scanned;
    private int _lineStart;
    private int _lines;

    /// <summary>Scans the bytes added since the last call; <paramref name="data"/> is the whole request so far.</summary>
    public FrameStatus Scan(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var lf = data[_scanned..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                _scanned = data.Length;
                break;
            }

            var end = _scanned + lf;
            if (ContentLength(data[_lineStart..end]) > maxLineBytes)
            {
                return FrameStatus.LineTooLong;
            }

            _lines++;
            _lineStart = _scanned = end + 1;
            if (_lines > maxLines)
            {
                return FrameStatus.TooManyLines;
            }
        }

        if (_lines >= maxLines && data.Length > _lineStart)
        {
            return FrameStatus.TooManyLines;
        }

        // One byte over the limit may still be the CR of a CR LF.
        var partial = data.Length - _lineStart;
        if (partial > maxLineBytes + 1 || (partial == maxLineBytes + 1 && data[^1] != (byte)'\r'))
        {
            return FrameStatus.LineTooLong;
        }

        return _lineStart == data.Length && _lines > 0 ? FrameStatus.Complete : FrameStatus.NeedMore;
    }

    /// <summary>At EOF: the unterminated tail, if any, is the last line. An empty request is complete (and answered as such).</summary>
    public FrameStatus Finish(ReadOnlySpan<byte> data)
    {
        var status = Scan(data);
        if (status is FrameStatus.LineTooLong or FrameStatus.TooManyLines)
        {
            return status;
        }

        if (_lineStart < data.Length && ContentLength(data[_lineStart..]) > maxLineBytes)
        {
            return FrameStatus.LineTooLong;
        }

        return FrameStatus.Complete;
    }

    private static int ContentLength(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line.Length - 1 : line.Length;
}
