using KarmaKit.Reporter.Configuration;

namespace KarmaKit.Reporter;

/// <summary>
/// The command line: <c>karmakit-reporter [run] [--config FILE] [--Reporter:Key=value ...]</c> runs the agent;
/// <c>status</c> prints the spool's state. Exit codes: 0 fine, 1 failure, 64 usage, 78 bad configuration.
/// </summary>
internal static class ReporterCommand
{
    public const int ExitUsage = 64;
    public const int ExitConfig = 78;

    public static int Run(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        var rest = command == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];
        if (command is "help" or "--help" or "-h")
        {
            Console.Out.Write(Usage);
            return 0;
        }

        ReporterOptions options;
        Microsoft.Extensions.Configuration.IConfigurationRoot configuration;
        try
        {
            configuration = ReporterConfiguration.Build(rest);
            options = ReporterConfiguration.Bind(configuration);
            var errors = ReporterOptionsValidator.Collect(options);
            if (errors.Count > 0)
            {
                throw new ConfigurationException("invalid configuration: " + string.Join("; ", errors));
            }
        }
        catch (Exception ex) when (ex is ConfigurationException or InvalidDataException or FileNotFoundException or FormatException)
        {
            Console.Error.WriteLine($"karmakit-reporter: {ex.Message}");
            return ExitConfig;
        }

        switch (command)
        {
            case "run":
                return ReporterHost.Run(configuration, options);
            case "status":
                return Status.StatusCommand.Run(options, Console.Out, Console.Error, TimeProvider.System);
            default:
                Console.Error.WriteLine($"karmakit-reporter: unknown command '{command}'");
                Console.Error.Write(Usage);
                return ExitUsage;
        }
    }

    private const string Usage = """
        usage: karmakit-reporter [run] [--config FILE] [--Reporter:Key=value ...]
               karmakit-reporter status [--config FILE] [--Reporter:Key=value ...]

        run     answer Exim's readsocket on Reporter:Tcp and Reporter:UnixSocket, spool durably,
                ship batches to Reporter:CollectorUrl (the default command)
        status  queue depth, age of the oldest undelivered report, last delivery, dead letters;
                exits 2 when a report has waited over 10 minutes
        Configuration: FILE (default /etc/karmakit/reporter.json), then KARMAKIT_Reporter__Key
        environment variables, then --Reporter:Key=value arguments; the last wins.

        """;
}
