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

        List<string> adminOperands = [];
        Dictionary<string, string> adminFlags = [];
        if (Admin.AdminCommand.Commands.Contains(command))
        {
            (adminOperands, adminFlags, rest) = Admin.AdminCommand.Split(rest);
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
            case "lookup" or "allow" or "unallow" or "delist" or "stats":
                return Admin.AdminCommand.Run(command, adminOperands, adminFlags, options, output, error);
            default:
                error.WriteLine($"karmakit-collector: unknown command '{command}'");
                error.Write(Usage);
                return ExitUsage;
        }
    }

    private const string Usage = """
        usage: karmakit-collector [run] [--config FILE] [--Collector:Key=value ...]
               karmakit-collector reporters add NAME | list | revoke NAME [--config FILE] [--Collector:Key=value ...]
               karmakit-collector lookup ADDRESS | stats [--json] [--token-file FILE] [--config FILE] [--Collector:Key=value ...]
               karmakit-collector allow ADDRESS|CIDR --reason TEXT [--for DURATION] [--remove] | unallow ADDRESS|CIDR
               karmakit-collector delist ADDRESS [--for DURATION] [--reason TEXT]

        run              take reporters' batches on Collector:Http (POST /v1/batches) and append them durably
                         to Collector:Log (the default command); SIGHUP reopens the log after logrotate;
                         GET /healthz, GET /metrics (Prometheus); with Collector:Compat:Tcp also the seed's raw
                         readsocket lines from the addresses in Collector:Compat:Sources:NAME
        reporters add    make a new random token for reporter NAME, print it once, store only its SHA-256
                         in {Collector:Data}/reporters.json (restart the collector to load it)
        reporters list   the known reporters and where each is configured
        reporters revoke remove NAME from {Collector:Data}/reporters.json
        lookup           ask the running collector (Collector:Http, admin token) whether ADDRESS is listed, why,
                         by which reporters, since when and until when
        allow            put an address or network on the operator's allowlist: never on the blocklist while the
                         entry lasts (--for 7d, 12h, 30m; no --for: until unallow); written to karma.log
        unallow          end an allow entry (the same ADDRESS|CIDR as allowed); same as allow --remove
        delist           end ADDRESS's listing now; with --for, new reports do not list it again until then
        stats            entries per list, serials, subjects, karma.log, what this run appended
                         (these five: --json prints the endpoint's JSON; --operator NAME defaults to the login name;
                         the token comes from --token-file FILE or a plain Collector:Admin:Token)
        Configuration: {Collector:Data}/reporters.json, FILE (default /etc/karmakit/collector.json), then
        KARMAKIT_Collector__Key environment variables, then --Collector:Key=value arguments; the last wins.

        """;
}
