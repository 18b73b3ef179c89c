using System.Globalization;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Status;

/// <summary>
/// <c>karmakit-reporter status</c>: reads the spool directory without its lock, so it works whether or not the
/// agent runs. Exit 0 when nothing waits longer than <see cref="StaleAfter"/>, 2 when reports are stuck (for
/// monitoring scripts), 1 when the spool cannot be read.
/// </summary>
internal static class StatusCommand
{
    public const int ExitStuck = 2;

    /// <summary>A report older than this that is still undelivered means delivery is not working.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    public static int Run(ReporterOptions options, TextWriter output, TextWriter error, TimeProvider time)
    {
        if (!Directory.Exists(options.Spool))
        {
            output.WriteLine($"spool            {options.Spool} (does not exist yet: the agent has never run with it)");
            return 0;
        }

        SpoolStatus status;
        try
        {
            status = SpoolInspector.Inspect(options.Spool);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            error.WriteLine($"karmakit-reporter: cannot read spool {options.Spool}: {ex.Message}");
            return 1;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var oldestAge = status.OldestUndelivered is { } oldest ? now - oldest : (TimeSpan?)null;
        output.WriteLine($"spool            {options.Spool} (id {status.SpoolId ?? "none yet"})");
        output.WriteLine($"collector        {options.CollectorUrl}");
        output.WriteLine($"queue depth      {status.QueueDepth.ToString(CultureInfo.InvariantCulture)} undelivered report(s)");
        output.WriteLine($"oldest waiting   {(oldestAge is { } age ? $"{Age(age)} ago ({Stamp(status.OldestUndelivered!.Value)})" : "-")}");
        output.WriteLine($"last delivery    {(status.LastDelivery is { } last ? $"{Stamp(last)} ({Age(now - last)} ago)" : "never")}");
        output.WriteLine($"dead letters     {status.DeadLetteredBatches.ToString(CultureInfo.InvariantCulture)} batch(es){(status.DeadLetteredBatches > 0 ? $" in {Path.Combine(options.Spool, "deadletter.jsonl")}" : "")}");
        output.WriteLine($"in flight        {(status.PendingBatch is { } batch ? $"batch {batch.Id}" : "-")}");
        output.WriteLine($"journal          {status.SegmentCount.ToString(CultureInfo.InvariantCulture)} segment(s), {status.JournalBytes.ToString(CultureInfo.InvariantCulture)} bytes, delivered through #{status.DeliveredThrough.ToString(CultureInfo.InvariantCulture)} of #{status.LastSequence.ToString(CultureInfo.InvariantCulture)}");
        return oldestAge > StaleAfter ? ExitStuck : 0;
    }

    private static string Stamp(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 1 } => "under 1s",
        { TotalMinutes: < 2 } => $"{(int)age.TotalSeconds}s",
        { TotalHours: < 2 } => $"{(int)age.TotalMinutes}m",
        { TotalDays: < 2 } => $"{(int)age.TotalHours}h",
        _ => $"{(int)age.TotalDays}d",
    };
}
