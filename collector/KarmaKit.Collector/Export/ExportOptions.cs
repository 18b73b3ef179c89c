namespace KarmaKit.Collector.Export;

/// <summary>
/// <c>Collector:Export</c>: the zone files written for standard DNS software (rbldnsd, a BIND-format master for NSD,
/// Knot or BIND), one set per served zone, rewritten after a change at a bounded rate.
/// </summary>
internal sealed class ExportOptions
{
    /// <summary>Write the zone files.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the files go; empty means <c>{Collector:Data}/zones</c>.</summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// Least time between two writes of a zone's files: a change reaches the files within this (plus the write).
    /// rbldnsd rereads a whole dataset at each change it sees, and mirrors fetch by rsync, so seconds, not milliseconds.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The directory the files go to, absolute.</summary>
    public static string ResolveDirectory(Configuration.CollectorOptions options) =>
        Path.GetFullPath(options.Export.Directory.Length > 0 ? options.Export.Directory : Path.Combine(options.Data, "zones"));

    /// <summary>Checks the section; called by the collector's validator so every bad key lands in one message.</summary>
    public static void Collect(ExportOptions o, Action<bool, string, string> check) =>
        check(o.Interval >= TimeSpan.FromSeconds(1) && o.Interval <= TimeSpan.FromDays(1), "Export:Interval",
            $"must be between 00:00:01 and 1.00:00:00, got {o.Interval}");
}
