using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Reporters;

namespace KarmaKit.Collector;

/// <summary>
/// The command line: <c>karmakit-collector [run] [--config FILE] [--Collector:Key=value ...]</c> runs the service;
/// <c>reporters add|list|revoke</c> manage tokens. Exit codes: 0 fine, 1 failure, 64 usage, 78 bad configuration.
/// </summary>
internal static class CollectorCommand
{
    public const int ExitUsage = 64;
    public const int ExitConfig = 78;

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error, string defaultFile = CollectorConfiguration.DefaultFile)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        if (command is "help" || args.Contains("--help") || args.Contains("-h"))
        {
            output.Write(Usage);
            return 0;
        }

        var rest = args.Length > 0 && args[0] == command ? args[1..] : args;
        string[] operands = [];
        if (command == "reporters")
        {
            operands = [.. rest.TakeWhile(a => !a.StartsWith('-'))];
            rest = rest[operands.Length..];
        }

        CollectorOptions options;
        IConfigurationRoot configuration;
        try
        {
            configuration = CollectorConfiguration.Build(rest, defaultFile);
            options = CollectorConfiguration.BindAndValidate(configuration);
        }
        catch (Exception ex) when (ex is ConfigurationException or InvalidDataException or FileNotFoundException or FormatException)
        {
            error.WriteLine($"karmakit-collector: {ex.Message}");
            return ExitConfig;
        }

        switch (command)
        {
            case "run":
                return CollectorHost.Run(configuration, options);
            case "reporters":
                return ReportersCommand.Run(operands, options, output, error);
            default:
                error.WriteLine($"karmakit-collector: unknown command '{command}'");
                error.Write(Usage);
                return ExitUsage;
        }
    }

    private const string Usage = """
        usage: karmakit-collector [run] [--config FILE] [--Collector:Key=value ...]
               karmakit-collector reporters add NAME | list | revoke NAME [--config FILE] [--Collector:Key=value ...]

        run              take reporters' batches on Collector:Http (POST /v1/batches) and append them durably
                         to Collector:Log (the default command); SIGHUP reopens the log after logrotate;
                         GET /healthz, GET /metrics (Prometheus); with Collector:Compat:Tcp also the seed's raw
                         readsocket lines from the addresses in Collector:Compat:Sources:NAME
        reporters add    make a new random token for reporter NAME, print it once, store only its SHA-256
                         in {Collector:Data}/reporters.json (restart the collector to load it)
        reporters list   the known reporters and where each is configured
        reporters revoke remove NAME from {Collector:Data}/reporters.json
        Configuration: {Collector:Data}/reporters.json, FILE (default /etc/karmakit/collector.json), then
        KARMAKIT_Collector__Key environment variables, then --Collector:Key=value arguments; the last wins.

        """;
}
