namespace KarmaKit.Collector.Configuration;

/// <summary>
/// Builds the collector's configuration (DESIGN.md §5), lowest precedence first:
/// <c>{Collector:Data}/reporters.json</c> (tokens added by <c>reporters add</c>; optional), the JSON file named by
/// <c>--config FILE</c> (default /etc/karmakit/collector.json; a missing default file means defaults), environment
/// variables <c>KARMAKIT_Collector__Key</c>, then <c>--Collector:Key=value</c> on the command line. Last wins.
/// </summary>
internal static class CollectorConfiguration
{
    public const string DefaultFile = "/etc/karmakit/collector.json";

    public static IConfigurationRoot Build(IReadOnlyList<string> args, string defaultFile = DefaultFile)
    {
        var (file, rest) = SplitConfigArgument(args, defaultFile);
        var path = Path.GetFullPath(file);
        var optional = file == defaultFile;
        IConfigurationBuilder Layers(IConfigurationBuilder builder) => builder
            .AddJsonFile(path, optional, reloadOnChange: false)
            .AddEnvironmentVariables("KARMAKIT_")
            .AddCommandLine([.. rest]);

        // Collector:Data says where reporters.json is, so read the layers once to find it.
        var data = Layers(new ConfigurationBuilder()).Build()[$"{CollectorOptions.Section}:{nameof(CollectorOptions.Data)}"]
            ?? new CollectorOptions().Data;
        var builder = new ConfigurationBuilder();
        if (data.Length > 0)
        {
            builder.AddJsonFile(ReporterTokenFilePath(data), optional: true, reloadOnChange: false);
        }

        return Layers(builder).Build();
    }

    /// <summary>The token file that <c>reporters add</c> writes, under <c>Collector:Data</c>.</summary>
    public static string ReporterTokenFilePath(string data) => Path.GetFullPath(Path.Combine(data, "reporters.json"));

    /// <summary>Takes <c>--config FILE</c> or <c>--config=FILE</c> out of the arguments.</summary>
    internal static (string File, List<string> Remaining) SplitConfigArgument(IReadOnlyList<string> args, string defaultFile)
    {
        var file = defaultFile;
        var rest = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Count)
                {
                    throw new ConfigurationException("--config needs a file name");
                }

                file = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                file = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (file, rest);
    }

    /// <summary>Binds the Collector section; an unknown key or a value of the wrong type becomes an error naming it.</summary>
    public static CollectorOptions Bind(IConfiguration configuration)
    {
        var section = configuration.GetSection(CollectorOptions.Section);
        var unknown = UnknownKeys.Find(section, typeof(CollectorOptions));
        if (unknown.Count > 0)
        {
            throw new ConfigurationException("unknown configuration keys: " + string.Join(", ", unknown));
        }

        var options = new CollectorOptions();
        try
        {
            section.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }

        return options;
    }

    /// <summary>Binds and validates: every bad key in one exception.</summary>
    public static CollectorOptions BindAndValidate(IConfiguration configuration)
    {
        var options = Bind(configuration);
        var errors = CollectorOptionsValidator.Collect(options);
        if (errors.Count > 0)
        {
            throw new ConfigurationException("invalid configuration: " + string.Join("; ", errors));
        }

        return options;
    }
}
