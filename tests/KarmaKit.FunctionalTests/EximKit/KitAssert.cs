using System.Globalization;
using System.Text.RegularExpressions;
using KarmaKit.FunctionalTests.Exim;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// How the kit tests check a report, as <see cref="EximReadsocketTests"/> does: the kit's log line with the agent's
/// answer, then <c>karmakit-reporter status</c> (one report waiting, the collector refusing), then exactly one delivery.
/// </summary>
internal static partial class KitAssert
{
    /// <summary>The one <c>KarmaKit: reported VERB SUBJECT (REASON): ok N</c> line; returns N, the sequence the agent gave.</summary>
    public static long SingleReportedLine(IEnumerable<string> logLines, string verb, string subject, string reason)
    {
        var lines = logLines.Where(l => l.Contains("KarmaKit: ", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        var match = ReportedLine().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal((verb, subject, reason), (match.Groups["verb"].Value, match.Groups["subject"].Value, match.Groups["reason"].Value));
        return long.Parse(match.Groups["sequence"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The log line, then the report waiting in the spool, then delivered exactly once with verb, subject and reason.</summary>
    public static async Task ReportedOnceAsync(AgentUnderTest agent, IEnumerable<string> logLines, string verb, string subject, string reason)
    {
        var sequence = SingleReportedLine(logLines, verb, subject, reason);

        var spooled = await agent.StatusAsync();
        Assert.True(spooled.ExitCode == 0, spooled.ToString());
        Assert.Equal((1L, 0L, sequence), (spooled.QueueDepth, spooled.DeliveredThrough, spooled.LastSequence));
        Assert.Empty(agent.Collector.Reports);

        var delivered = await agent.DeliverAsync();

        Assert.Equal(sequence, delivered.DeliveredThrough);
        var report = Assert.Single(agent.Collector.Reports);
        Assert.Equal((verb, subject, reason, 1), (report.Verb, report.Subject, report.Reason, report.Count));
    }

    /// <summary>No KarmaKit log line at all (neither reported nor could-not-report), and the spool never held a report.</summary>
    public static async Task NothingReportedAsync(AgentUnderTest agent, IEnumerable<string> logLines)
    {
        Assert.DoesNotContain(logLines, l => l.Contains("KarmaKit: ", StringComparison.Ordinal));
        var status = await agent.StatusAsync();
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal((0L, 0L), (status.QueueDepth, status.LastSequence));
        Assert.Empty(agent.Collector.Reports);
    }

    [GeneratedRegex(@"KarmaKit: reported (?<verb>black|white) (?<subject>\S+) \((?<reason>.*)\): ok (?<sequence>[0-9]+) ?$")]
    private static partial Regex ReportedLine();
}
