using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.State;

/// <summary>
/// karma.log and its rotated predecessors, oldest first. The shipped logrotate snippet (<c>daily</c>, <c>compress</c>,
/// <c>delaycompress</c>) leaves <c>karma.log.1</c> plain and <c>karma.log.2.gz</c> ... <c>karma.log.90.gz</c>: numbered
/// files go highest number first. Date-named rotations (<c>dateext</c>: <c>karma.log-20261126[.gz]</c>, or with a
/// <c>dateformat</c> such as <c>-%Y-%m-%d</c>) follow in name
/// order, then karma.log itself. Torn-tail side files (<c>.torn-</c>) and temporary files are not logs.
/// </summary>
internal static class LogFileSet
{
    private static readonly SearchValues<char> DateChars = SearchValues.Create("0123456789-_");

    public static List<string> Ordered(string logPath)
    {
        var directory = Path.GetDirectoryName(logPath)!;
        var name = Path.GetFileName(logPath);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var numbered = new List<(int Number, string Path)>();
        var dated = new List<string>();
        string? live = null;
        foreach (var path in Directory.EnumerateFiles(directory, name + "*"))
        {
            var file = Path.GetFileName(path);
            if (file == name)
            {
                live = path;
                continue;
            }

            if (file.Contains(KarmaLogRecovery.SideFileMarker, StringComparison.Ordinal) || file.EndsWith(".tmp", StringComparison.Ordinal))
            {
                continue;
            }

            var suffix = file[name.Length..];
            var bare = suffix.EndsWith(".gz", StringComparison.Ordinal) ? suffix[..^3] : suffix;
            if (bare.Length > 1 && bare[0] == '.' && int.TryParse(bare.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                numbered.Add((number, path));
            }
            else if (bare.Length > 1 && bare[0] == '-' && IsDateSuffix(bare.AsSpan(1)))
            {
                dated.Add(path);
            }
        }

        var ordered = numbered.OrderByDescending(f => f.Number).Select(f => f.Path).ToList();
        ordered.AddRange(dated.Order(StringComparer.Ordinal));
        if (live is not null)
        {
            ordered.Add(live);
        }

        return ordered;
    }

    public static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.Ordinal);

    /// <summary>Opens a log file for reading from its start, decompressing a .gz one.</summary>
    public static Stream Open(string path, out FileStream file)
    {
        file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        return IsCompressed(path) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>The first line of a file, LF included (at most 64 KiB), or empty when it has no complete line.</summary>
    public static byte[] FirstLine(string path)
    {
        using var stream = Open(path, out var file);
        using var _ = file;
        var buffer = new byte[LogLines.MaxLineBytes];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                break;
            }

            var lf = buffer.AsSpan(filled, read).IndexOf((byte)'\n');
            filled += read;
            if (lf >= 0)
            {
                return buffer.AsSpan(0, filled - read + lf + 1).ToArray();
            }
        }

        return [];
    }

    /// <summary>What logrotate's <c>dateext</c> appends: digits, with <c>-</c> or <c>_</c> between them for a <c>dateformat</c> such as <c>-%Y-%m-%d</c>.</summary>
    private static bool IsDateSuffix(ReadOnlySpan<char> text) =>
        char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[^1]) && !text.ContainsAnyExcept(DateChars);
}
