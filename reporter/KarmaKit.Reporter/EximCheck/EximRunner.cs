using System.Diagnostics;

namespace KarmaKit.Reporter.EximCheck;

/// <summary>The result of one exim run.</summary>
internal sealed record EximResult(int ExitCode, string Output, string Error)
{
    public string Combined => (Output + "\n" + Error).Trim();
}

/// <summary>Runs the exim binary with the admin's configuration (or the one given by <c>-C</c>).</summary>
internal sealed class EximRunner(string exim, string? configFile)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    public string Exim { get; } = exim;

    public string? ConfigFile { get; } = configFile;

    /// <summary>Runs exim with <paramref name="arguments"/>; as <paramref name="user"/> through runuser when given.</summary>
    public EximResult Run(IEnumerable<string> arguments, string? user = null)
    {
        var info = new ProcessStartInfo(user is null ? Exim : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (user is not null)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(user);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(Exim);
        }

        if (ConfigFile is not null)
        {
            info.ArgumentList.Add("-C");
            info.ArgumentList.Add(ConfigFile);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {info.FileName}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            return new EximResult(-1, "", $"{info.FileName} did not finish within {Limit.TotalSeconds:0} s");
        }

        return new EximResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
