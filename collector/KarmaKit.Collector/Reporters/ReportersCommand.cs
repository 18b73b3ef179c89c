using System.Security.Cryptography;
using System.Text;
using KarmaKit.Collector.Configuration;
using KarmaKit.Protocol;

namespace KarmaKit.Collector.Reporters;

/// <summary><c>reporters add NAME</c>, <c>reporters list</c>, <c>reporters revoke NAME</c>.</summary>
internal static class ReportersCommand
{
    public static int Run(string[] operands, CollectorOptions options, TextWriter output, TextWriter error)
    {
        var path = CollectorConfiguration.ReporterTokenFilePath(options.Data);
        try
        {
            return operands switch
            {
                ["add", var name] => Add(name, path, options, output, error),
                ["list"] => List(path, options, output),
                ["revoke", var name] => Revoke(name, path, options, output, error),
                _ => Usage(error),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
        {
            error.WriteLine($"karmakit-collector: {path}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>A new token: 32 random bytes, base64url without padding (43 characters).</summary>
    internal static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int Add(string name, string path, CollectorOptions options, TextWriter output, TextWriter error)
    {
        if (!ReporterNames.IsValid(name))
        {
            error.WriteLine($"karmakit-collector: '{name}' is not a valid reporter name (letters, digits, '.', '-', '_')");
            return CollectorCommand.ExitUsage;
        }

        if (options.Reporters.ContainsKey(name))
        {
            error.WriteLine($"karmakit-collector: reporter {name} already exists; revoke it first to give it a new token");
            return 1;
        }

        var tokens = ReporterTokenFile.Read(path);
        var token = NewToken();
        tokens[name] = CollectorOptionsValidator.HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        ReporterTokenFile.Write(path, tokens);
        output.WriteLine(token);
        error.WriteLine($"karmakit-collector: reporter {name} added to {path}; the token above is shown only once: set it as Reporter:Token on {name} and restart the collector");
        return 0;
    }

    private static int List(string path, CollectorOptions options, TextWriter output)
    {
        var inFile = ReporterTokenFile.Read(path);
        foreach (var name in options.Reporters.Keys.Order(StringComparer.OrdinalIgnoreCase))
        {
            output.WriteLine($"{name}\t{(inFile.ContainsKey(name) ? path : "configuration")}");
        }

        return 0;
    }

    private static int Revoke(string name, string path, CollectorOptions options, TextWriter output, TextWriter error)
    {
        var tokens = ReporterTokenFile.Read(path);
        if (!tokens.Remove(name))
        {
            error.WriteLine(options.Reporters.ContainsKey(name)
                ? $"karmakit-collector: reporter {name} is set in the configuration (file, environment or command line), not in {path}: remove it there"
                : $"karmakit-collector: no reporter {name}");
            return 1;
        }

        ReporterTokenFile.Write(path, tokens);
        output.WriteLine($"revoked {name}; restart the collector to refuse its token");
        return 0;
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine("usage: karmakit-collector reporters add NAME | list | revoke NAME");
        return CollectorCommand.ExitUsage;
    }
}
