using System.Security.Cryptography;

namespace KarmaKit.Collector.State;

/// <summary>Finds a snapshot's <see cref="LogPosition"/> among the log files, after rotations, renames and compression.</summary>
internal static class LogPositionLocator
{
    /// <summary>The index in <paramref name="files"/> of the file that holds the position, or -1 with the reason.</summary>
    public static int Locate(LogPosition position, IReadOnlyList<string> files, out string problem)
    {
        for (var i = files.Count - 1; i >= 0; i--)
        {
            var first = LogFileSet.FirstLine(files[i]);
            if (first.Length == 0 || !SHA256.HashData(first).AsSpan().SequenceEqual(position.Head))
            {
                continue;
            }

            if (!HoldsLastLine(files[i], position))
            {
                problem = $"{files[i]} no longer holds the snapshot's last line at byte {position.Offset} (truncated or rewritten)";
                return -1;
            }

            problem = "";
            return i;
        }

        problem = "the karma.log file it ends in is not there any more (rotated away, deleted or rewritten)";
        return -1;
    }

    private static bool HoldsLastLine(string path, LogPosition position)
    {
        var start = position.Offset - position.LastLineLength;
        if (start < 0 || position.LastLineLength is < 1 or > 1 << 20)
        {
            return false;
        }

        using var stream = LogFileSet.Open(path, out var file);
        using var _ = file;
        if (ReferenceEquals(stream, file))
        {
            if (file.Length < position.Offset)
            {
                return false;
            }

            file.Seek(start, SeekOrigin.Begin);
        }
        else
        {
            var skip = new byte[1 << 16];
            for (var left = start; left > 0;)
            {
                var read = stream.Read(skip, 0, (int)Math.Min(skip.Length, left));
                if (read == 0)
                {
                    return false;
                }

                left -= read;
            }
        }

        var line = new byte[position.LastLineLength];
        try
        {
            stream.ReadExactly(line);
        }
        catch (EndOfStreamException)
        {
            return false;
        }

        return line[^1] == '\n' && SHA256.HashData(line).AsSpan().SequenceEqual(position.LastLine);
    }
}
