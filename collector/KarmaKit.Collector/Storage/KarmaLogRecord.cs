using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Storage;

/// <summary>One report as the collector stores it: a validated batch report, without the batch around it.</summary>
internal readonly record struct ReportEntry(Verb Verb, IpSubject Subject, int Count, DateTime First, DateTime Last, string? Reason);

/// <summary>One karma.log line, parsed back (<see cref="KarmaLogFormat"/> documents the layout).</summary>
internal sealed record KarmaLogRecord
{
    /// <summary>When the collector appended the line (UTC, millisecond precision).</summary>
    public required DateTime Received { get; init; }

    public required string Reporter { get; init; }

    public required Verb Verb { get; init; }

    public required IpSubject Subject { get; init; }

    public required int Count { get; init; }

    /// <summary>The reporter's first sighting, when the line has one.</summary>
    public DateTime? First { get; init; }

    /// <summary>The reporter's last sighting, when the line has one.</summary>
    public DateTime? Last { get; init; }

    /// <summary>The batch id the line came in, when it came in a batch.</summary>
    public string? Batch { get; init; }

    /// <summary>How many lines that batch has; 0 when unknown.</summary>
    public int BatchSize { get; init; }

    public string? Reason { get; init; }
}
