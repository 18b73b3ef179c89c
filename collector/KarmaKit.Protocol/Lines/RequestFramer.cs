namespace KarmaKit.Protocol.Lines;

/// <summary>Where a readsocket request stands after <see cref="RequestFramer.Scan"/> or <see cref="RequestFramer.Finish"/>.</summary>
public enum FrameStatus
{
    /// <summary>No line end yet at the end of the data: wait for more bytes or EOF.</summary>
    NeedMore,

    /// <summary>The data ends exactly at a line end: complete if nothing more is pending (Exim's <c>shutdown=no</c>).</summary>
    AtLineEnd,

    /// <summary>A line is longer than the limit (without its CR LF).</summary>
    LineTooLong,

    /// <summary>More lines than the limit; any byte after the last allowed line counts.</summary>
    TooManyLines,
}

/// <summary>
/// Cuts one readsocket request into lines as its bytes arrive, enforcing the limits early so a hostile
/// client can never make the buffer grow past <see cref="MaxRequestBytes"/>. Blank lines count toward the
/// line limit (they bound memory the same way) but are ignored when the request is processed. The reporter's
/// listener and the collector's compatibility wire read requests with it.
/// </summary>
public struct RequestFramer
{
    private readonly int _maxLineBytes;
    private readonly int _maxLines;
    private int _scanned;
    private int _lineStart;
    private int _lines;

    public RequestFramer(int maxLineBytes, int maxLines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLines, 1);
        _maxLineBytes = maxLineBytes;
        _maxLines = maxLines;
    }

    /// <summary>Largest request that can pass both limits: every line at full length with CR LF.</summary>
    public static int MaxRequestBytes(int maxLineBytes, int maxLines) => checked(maxLines * (maxLineBytes + 2));

    /// <summary>Lines seen so far, counting a final unterminated line only after <see cref="Finish"/>.</summary>
    public readonly int Lines => _lines;

    /// <summary>Scans the bytes added since the last call; <paramref name="data"/> is the whole request so far.</summary>
    public FrameStatus Scan(ReadOnlySpan<byte> data)
    {
        while (_scanned < data.Length)
        {
            if (_lines >= _maxLines)
            {
                return FrameStatus.TooManyLines;
            }

            var lf = data[_scanned..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                _scanned = data.Length;
                return PartialTooLong(data[_lineStart..]) ? FrameStatus.LineTooLong : FrameStatus.NeedMore;
            }

            var end = _scanned + lf;
            if (ContentLength(data[_lineStart..end]) > _maxLineBytes)
            {
                return FrameStatus.LineTooLong;
            }

            _lines++;
            _lineStart = end + 1;
            _scanned = end + 1;
        }

        return _lineStart == data.Length && _lines > 0 ? FrameStatus.AtLineEnd : FrameStatus.NeedMore;
    }

    /// <summary>At EOF: the unterminated tail, if any, is the last line. No bytes at all stay <see cref="FrameStatus.NeedMore"/>
    /// with <see cref="Lines"/> 0: an empty request, which each caller answers in its own way.</summary>
    public FrameStatus Finish(ReadOnlySpan<byte> data)
    {
        var status = Scan(data);
        if (status is FrameStatus.LineTooLong or FrameStatus.TooManyLines || _lineStart == data.Length)
        {
            return status;
        }

        if (ContentLength(data[_lineStart..]) > _maxLineBytes)
        {
            return FrameStatus.LineTooLong;
        }

        _lines++;
        _lineStart = data.Length;
        return FrameStatus.AtLineEnd;
    }

    private static int ContentLength(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line.Length - 1 : line.Length;

    // One byte over the limit may still be the CR of a CR LF.
    private readonly bool PartialTooLong(ReadOnlySpan<byte> partial) =>
        partial.Length > _maxLineBytes && (partial.Length > _maxLineBytes + 1 || partial[^1] != (byte)'\r');
}
