namespace KarmaKit.Collector;

internal static class Program
{
    public static int Main(string[] args) => CollectorCommand.Run(args);
}
