using System.Diagnostics;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>What a finished program printed.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public string[] Lines => Output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}:\n{Output}\n{Error}";
}

/// <summary>Runs a program to the end (at most 90 s, far above anything expected), stdin closed, output captured.</summary>
internal static class ProcessRunner
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    public static Task<ProcessResult> RunAsync(string program, params string[] arguments) => RunAsync(program, arguments, environment: null);

    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {Limit}");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }
}
