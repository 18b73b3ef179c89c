using System.Text.RegularExpressions;

namespace KarmaKit.Reporter.EximCheck;

/// <summary>
/// <c>karmakit-reporter check-exim [--exim PATH] [--exim-config FILE]</c>: checks the Exim configuration
/// that reports to the agent, with Exim itself. It loads the configuration (<c>exim -bV</c>), reads it as
/// Exim sees it (<c>exim -bP config</c>: includes inlined, macros substituted), checks every readsocket
/// call for a fail string and a timeout Exim really applies, and asks each agent socket for an answer as
/// the Exim user (<c>exim -be</c> through runuser), which is who connects at SMTP time.
/// Exit 0 when nothing is wrong, 1 when something is, 64 for bad arguments.
/// </summary>
internal static partial class EximCheckCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        string exim = "exim";
        string? config = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--exim" when i + 1 < args.Count:
                    exim = args[++i];
                    break;
                case "--exim-config" when i + 1 < args.Count:
                    config = Path.GetFullPath(args[++i]);
                    break;
                default:
                    Console.Error.WriteLine($"karmakit-reporter check-exim: unexpected argument '{args[i]}'");
                    Console.Error.WriteLine("usage: karmakit-reporter check-exim [--exim PATH] [--exim-config FILE]");
                    return ReporterCommand.ExitUsage;
            }
        }

        var report = new CheckReport(output);
        Check(new EximRunner(exim, config), report);
        report.Summary();
        return report.Problems == 0 ? 0 : 1;
    }

    internal static void Check(EximRunner exim, CheckReport report)
    {
        EximResult version;
        try
        {
            version = exim.Run(["-bV"]);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            report.Problem($"cannot run {exim.Exim}: {ex.Message} (is Exim installed? --exim PATH names the binary)");
            return;
        }

        if (version.ExitCode != 0)
        {
            // Exim prints its version banner on stdout before it stops on the error, which goes to stderr.
            var why = string.IsNullOrWhiteSpace(version.Error) ? version.Combined : version.Error;
            report.Problem($"Exim refuses the configuration (exim -bV): {FirstLines(why)}");
            return;
        }

        var file = ConfigFileLine().Match(version.Output) is { Success: true } m ? m.Groups[1].Value.Trim() : exim.ConfigFile ?? "?";
        report.Ok($"configuration {file} loads ({FirstLines(version.Output, 1)})");

        var printed = exim.Run(["-bP", "config"]);
        if (printed.ExitCode != 0)
        {
            report.Problem($"cannot read the configuration with exim -bP config (run this check as root): {FirstLines(printed.Combined)}");
            return;
        }

        var calls = ReadsocketScanner.Scan(printed.Output);
        if (calls.Count == 0)
        {
            report.Problem("no readsocket call in the configuration: nothing reports to the agent (see exim-config/README.md)");
            return;
        }

        foreach (var call in calls)
        {
            CheckCall(call, report);
        }

        var user = exim.Run(["-bP", "exim_user"]) is { ExitCode: 0 } u && EximUserLine().Match(u.Output) is { Success: true } um
            ? um.Groups[1].Value.Trim()
            : null;
        foreach (var name in calls.Select(c => c.Name).Distinct(StringComparer.Ordinal))
        {
            CheckAgent(exim, name, user, report);
        }
    }

    private static void CheckCall(ReadsocketCall call, CheckReport report)
    {
        var where = $"readsocket to {call.Name} (line {call.Line} of exim -bP config)";
        if (!call.HasFailString)
        {
            report.Problem($"{where} has no fail string: when the agent is down the expansion fails, which defers mail "
                + "(451) inside deny/require or silently skips the statement inside warn; give a 5th argument such as {KKFAIL}");
        }

        if (call.Timeout is null)
        {
            report.Warning($"{where} gives no timeout: Exim waits 5 s for a hung agent; give {{1s}}");
        }
        else if (call.Timeout.Contains('$', StringComparison.Ordinal))
        {
            report.Warning($"{where} computes its timeout ({call.Timeout}) at run time; make sure it is whole seconds");
        }
        else if (EximTime.Seconds(call.Timeout) is not { } seconds)
        {
            report.Problem($"{where} has timeout \"{call.Timeout}\", which Exim 4.96 silently reads as no timeout at all: "
                + "a hung agent would hold every SMTP session; use whole seconds such as 1s");
        }
        else if (seconds > 5)
        {
            report.Warning($"{where} waits up to {seconds} s for the agent; 1s is plenty for a local agent");
        }
    }

    private static void CheckAgent(EximRunner exim, string name, string? user, CheckReport report)
    {
        if (name.Contains('$', StringComparison.Ordinal))
        {
            report.Warning($"readsocket to {name} is computed at run time; not probed");
            return;
        }

        // An empty line: the agent answers "error syntax ..." at once and spools nothing. No fail string,
        // so that Exim prints why the connection failed.
        var probe = $"${{readsocket{{{name}}}{{\\n}}{{2s}}{{ }}}}";
        var asUser = Environment.IsPrivilegedProcess && user is not null ? user : null;
        var result = exim.Run(["-be", probe], asUser);
        var answer = result.Output.Trim();
        var who = asUser is null ? "this user" : $"the Exim user {asUser}";
        if (answer.StartsWith("error syntax", StringComparison.Ordinal))
        {
            report.Ok($"the agent at {name} answers {who}");
        }
        else if (answer.Contains("Permission denied", StringComparison.Ordinal))
        {
            report.Problem($"{who} may not connect to {name} ({SocketMode(name)}): give the socket group {asUser ?? "Debian-exim"} "
                + "with Reporter:Listener:UnixSocketGroup and mode 0660, and let that group search the directory");
        }
        else if (answer.StartsWith("Failed:", StringComparison.Ordinal))
        {
            report.Problem($"the agent at {name} is unreachable for {who}: {answer["Failed:".Length..].Trim()} (is karmakit-reporter running? systemctl status karmakit-reporter)");
        }
        else
        {
            report.Problem($"something answers at {name}, but not as karmakit-reporter does: \"{FirstLines(result.Combined, 1)}\"");
        }

        if (asUser is null && !Environment.IsPrivilegedProcess)
        {
            report.Warning("not root: the agent was probed as this user, not as the Exim user; run the check as root to test the socket's permissions");
        }
    }

    private static string SocketMode(string name)
    {
        try
        {
            return !OperatingSystem.IsWindows() && name.StartsWith('/') && File.Exists(name) ? $"mode {Convert.ToString((int)File.GetUnixFileMode(name), 8)}" : "no such socket";
        }
        catch (IOException)
        {
            return "mode unknown";
        }
    }

    private static string FirstLines(string text, int count = 3) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(count));

    [GeneratedRegex(@"^Configuration file is (.+)$", RegexOptions.Multiline)]
    private static partial Regex ConfigFileLine();

    [GeneratedRegex(@"^exim_user\s*=\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex EximUserLine();
}
