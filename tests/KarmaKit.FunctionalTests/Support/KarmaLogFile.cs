using System.Globalization;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>One karma.log line as a test needs it (the layout is the README's "karma.log" section).</summary>
internal sealed record KarmaLogLine(string Reporter, string Verb, string Subject, int Count, string? Batch, int Size, string? Reason);

/// <summary>
/// Reads karma.log on the test's side, from the documented format alone rather than the collector's parser, so the
/// functional tests check what an operator's <c>awk</c> would see: time, reporter, verb, subject, then key=value
/// fields with the quoted reason last.
/// </summary>
internal static class KarmaLogFile
{
    public static IReadOnlyList<KarmaLogLine> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        // Shared read: the collector may be appending; a line without its LF yet is left for the next read.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var complete = text.LastIndexOf('\n') + 1;
        return [.. text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse)];
    }

    public static KarmaLogLine Parse(string line)
    {
        string? reason = null;
        var quoted = line.IndexOf(" reason=\"", StringComparison.Ordinal);
        if (quoted >= 0)
        {
            var raw = line[(quoted + " reason=\"".Length)..];
            if (!raw.EndsWith('"'))
            {
                throw new FormatException($"reason is not last or not closed: {line}");
            }

            reason = raw[..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            line = line[..quoted];
        }

        var fields = line.Split(' ');
        if (fields.Length < 5 || !DateTime.TryParseExact(fields[0], "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _))
        {
            throw new FormatException($"not a karma.log line: {line}");
        }

        var values = fields[4..].Select(f => f.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
        return new KarmaLogLine(
            fields[1],
            fields[2],
            fields[3],
            int.Parse(values["count"], CultureInfo.InvariantCulture),
            values.GetValueOrDefault("batch"),
            values.TryGetValue("size", out var size) ? int.Parse(size, CultureInfo.InvariantCulture) : 0,
            reason);
    }
}
