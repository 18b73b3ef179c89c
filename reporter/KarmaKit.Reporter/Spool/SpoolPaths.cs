using System.Globalization;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// The spool directory's layout:
/// <c>journal/&lt;first sequence, 20 digits&gt;.seg</c> segments, <c>torn/</c> set-aside torn tails,
/// <c>state.json</c> delivery state, <c>spool.id</c> the spool's random id, <c>deadletter.jsonl</c> refused batches,
/// <c>.lock</c> held (flock) by the agent that owns the spool.
/// </summary>
internal sealed class SpoolPaths(string directory)
{
    public const string SegmentExtension = ".seg";

    public string Directory { get; } = Path.GetFullPath(directory);

    public string Journal => Path.Combine(Directory, "journal");

    public string Torn => Path.Combine(Directory, "torn");

    public string State => Path.Combine(Directory, "state.json");

    public string Id => Path.Combine(Directory, "spool.id");

    public string Lock => Path.Combine(Directory, ".lock");

    public string DeadLetters => Path.Combine(Directory, "deadletter.jsonl");

    public string Segment(long firstSequence) =>
        Path.Combine(Journal, firstSequence.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension);

    /// <summary>The segments in order of their first sequence; files with other names are returned in <paramref name="strangers"/>.</summary>
    public List<(long FirstSequence, string Path)> ListSegments(List<string>? strangers = null)
    {
        var segments = new List<(long, string)>();
        if (!System.IO.Directory.Exists(Journal))
        {
            return segments;
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(Journal))
        {
            var name = Path.GetFileName(path);
            if (name.Length == 20 + SegmentExtension.Length && name.EndsWith(SegmentExtension, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                segments.Add((first, path));
            }
            else
            {
                strangers?.Add(path);
            }
        }

        segments.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return segments;
    }
}
