using Microsoft.Extensions.Configuration;

namespace KarmaKit.Reporter.Configuration;

/// <summary>
/// Builds the agent's configuration (DESIGN.md §5): the JSON file named by <c>--config FILE</c>
/// (default /etc/karmakit/reporter.json; a missing file means defaults), then environment variables
/// <c>KARMAKIT_Reporter__Key</c>, then <c>--Reporter:Key=value</c> on the command line. Last wins.
/// </summary>
internal static class ReporterConfiguration
{
    public const string DefaultFile = "/etc/karmakit/reporter.json";

    public static IConfigurationRoot Build(IReadOnlyList<string> args, string defaultFile = DefaultFile)
    {
        var (file, rest) = SplitConfigArgument(args, defaultFile);
        return new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(file), optional: file == defaultFile, reloadOnChange: false)
            .AddEnvironmentVariables("KARMAKIT_")
            .AddCommandLine([.. rest])
            .Build();
    }

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

    /// <summary>Binds the Reporter section; a value of the wrong type becomes an error that names its key.</summary>
    public static ReporterOptions Bind(IConfiguration configuration)
    {
        var options = new ReporterOptions();
        try
        {
            configuration.GetSection(ReporterOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }

        return options;
    }
}

/// <summary>A configuration that cannot start the agent; the message names every bad key.</summary>
internal sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
