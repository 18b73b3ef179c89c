namespace KarmaKit.Reporter;

internal static class Program
{
    public static int Main(string[] args) => ReporterCommand.Run(args);
}
