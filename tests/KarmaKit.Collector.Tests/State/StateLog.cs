using System.Buffers;
using System.IO.Compression;
using System.Text;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Collector.Tests.State;

/// <summary>karma.log lines written by the real formatter, and the state they give, as comparable text.</summary>
internal static class StateLog
{
    public static readonly DateTime T0 = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    public static string Line(int minute, string reporter, Verb verb, string subject, int count = 1, string? reason = null, int sightingMinute = -1)
    {
        var received = T0.AddMinutes(minute);
        var seen = sightingMinute < 0 ? received : T0.AddMinutes(sightingMinute);
        var buffer = new ArrayBufferWriter<byte>();
        KarmaLogFormat.Write(buffer, received, reporter, $"b{minute}", 1, new ReportEntry(verb, IpSubject.Parse(subject), count, seen.AddSeconds(-30), seen, reason));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Lines spread over <paramref name="subjects"/> addresses and three reporters, from minute <paramref name="from"/>.</summary>
    public static string Lines(int from, int count, int subjects = 50)
    {
        var text = new StringBuilder();
        for (var i = from; i < from + count; i++)
        {
            var verb = i % 7 == 0 ? Verb.White : Verb.Black;
            var reason = (i % 3) switch { 0 => null, 1 => $"virus V{i % 5}", _ => "spam \"quoted\"\tscore" };
            text.Append(Line(i, $"mx{i % 3}.example.org", verb, $"198.51.100.{i % subjects}", 1 + (i % 4), reason));
        }

        return text.ToString();
    }

    public static void WriteGz(string path, string text)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(text));
    }

    public static CollectorOptions Options(string dir) => new()
    {
        Log = Path.Combine(dir, "log", "karma.log"),
        Data = Path.Combine(dir, "data"),
    };

    /// <summary>A fresh store rebuilt from the log (and the snapshot, when there is one) by a feed.</summary>
    public static SubjectStateFeed Recover(string dir)
    {
        var options = Options(dir);
        var feed = new SubjectStateFeed(new SubjectStateStore(), options, NullLogger<SubjectStateFeed>.Instance);
        feed.Recovered(Path.GetFullPath(options.Log));
        return feed;
    }

    /// <summary>Every subject's state with names and reasons resolved, one line each, sorted.</summary>
    public static string Dump(SubjectStateStore store)
    {
        List<IpSubject> subjects;
        using (store.EnterWrite())
        {
            subjects = [.. store.Subjects()];
        }

        var lines = new List<string>();
        foreach (var subject in subjects)
        {
            Assert.True(store.TryGet(subject, out var s));
            var reporters = Enumerable.Range(0, s.ReporterCount).Select(s.Reporter)
                .Select(r => $"{store.Reporters[r.ReporterId]}@{r.LastSeen:O}").Order(StringComparer.Ordinal);
            lines.Add($"{subject} black {s.BlackCount} {s.FirstBlack:O}..{s.LastBlack:O} '{store.Reasons[s.BlackReasonId]}' "
                + $"white {s.WhiteCount} {s.LastWhite:O} {store.Reporters[s.WhiteReporterId]} '{store.Reasons[s.WhiteReasonId]}' [{string.Join(' ', reporters)}]");
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }
}
