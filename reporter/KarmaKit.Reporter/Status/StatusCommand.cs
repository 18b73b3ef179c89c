using KarmaKit.Reporter.Configuration;

namespace KarmaKit.Reporter.Status;

/// <summary><c>karmakit-reporter status</c>: reads the spool directory, works whether or not the agent runs.</summary>
internal static class StatusCommand
{
    public static int Run(ReporterOptions options, TextWriter output)
    {
        output.WriteLine($"spool {options.Spool}");
        return 0;
    }
}
