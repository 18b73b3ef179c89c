namespace KarmaKit.Collector.Storage;

/// <summary>Called for each complete line (without its LF) and the byte offset where it starts.</summary>
internal delegate void LineHandler(ReadOnlySpan<byte> line, long offset);

/// <summary>Splits a stream into LF-terminated lines without a string per line.</summary>
internal static class LogLines
{
    /// <summary>Longest line handled; a longer one is passed on cut at this length (and will not parse).</summary>
    public const int MaxLineBytes = 64 * 1024;

    /// <summary>Calls <paramref name="handler"/> for every complete line; returns the length of an unterminated tail.</summary>
    public static long ForEach(Stream stream, LineHandler handler)
    {
        var buffer = new byte[MaxLineBytes * 2];
        var filled = 0;
        long offset = 0; // stream offset of buffer[0]
        while (true)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                return filled;
            }

            filled += read;
            var start = 0;
            while (true)
            {
                var lf = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                if (lf < 0)
                {
                    break;
                }

                handler(buffer.AsSpan(start, lf), offset + start);
                start += lf + 1;
            }

            if (start == 0 && filled == buffer.Length)
            {
                // A line longer than the buffer: hand over what we have and skip to its end.
                handler(buffer.AsSpan(0, MaxLineBytes), offset);
                start = filled;
                filled = 0;
                offset += start;
                if (!SkipLine(stream, buffer, ref filled, ref offset))
                {
                    return 0;
                }

                continue;
            }

            buffer.AsSpan(start, filled - start).CopyTo(buffer);
            filled -= start;
            offset += start;
        }
    }

    private static bool SkipLine(Stream stream, byte[] buffer, ref int filled, ref long offset)
    {
        while (true)
        {
            var read = stream.Read(buffer, 0, buffer.Length);
            if (read == 0)
            {
                return false;
            }

            var lf = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                buffer.AsSpan(lf + 1, read - lf - 1).CopyTo(buffer);
                filled = read - lf - 1;
                offset += lf + 1;
                return true;
            }

            offset += read;
        }
    }
}
