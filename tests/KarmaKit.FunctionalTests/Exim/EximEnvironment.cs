using System.Diagnostics;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>What <c>exim -be</c> printed for one expansion.</summary>
/// <param name="Output">stdout; Exim prints a failed expansion as <c>Failed: reason</c> and still exits 0.</param>
internal sealed record EximExpansion(string Output, string Error, TimeSpan Elapsed)
{
    public bool Failed => Output.StartsWith("Failed:", StringComparison.Ordinal);
}

/// <summary>
/// A throw-away Exim test setup that talks to a KarmaKit agent at <see cref="AgentSocket"/> (a readsocket name:
/// <c>inet:127.0.0.1:PORT</c> or a unix socket path; see <see cref="AgentUnderTest"/>). Follows the research recipe for root:
/// the config is owned by root with mode 0644, the Exim spool and log directories by Debian-exim, and the
/// directory itself is world-searchable because <c>-bh</c> runs the ACLs as Debian-exim.
/// </summary>
internal sealed class EximEnvironment : IDisposable
{
    public const string EximUser = "Debian-exim";

    private EximEnvironment(string directory, string agentSocket)
    {
        Directory = directory;
        AgentSocket = agentSocket;
    }

    public string Directory { get; }

    public string AgentSocket { get; }

    public string ConfigPath => Path.Combine(Directory, "exim.conf");

    public static string EximPath => File.Exists("/usr/sbin/exim") ? "/usr/sbin/exim" : "exim";

    /// <param name="timeout">
    /// readsocket timeout in the ACL. Production uses 1s; the tests give 5s, because they check what the agent
    /// answers, not how fast a freshly started agent answers on a loaded 2-core machine (a 1s call once timed out).
    /// </param>
    public static EximEnvironment Create(string agentSocket, string timeout = "5s")
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the Exim tests need Linux with exim4-daemon-heavy");
        }

        var directory = TestDirectories.CreateSearchable("kk-exim-");
        var environment = new EximEnvironment(directory, agentSocket);
        foreach (var sub in new[] { "spool", "log" })
        {
            ChangeOwnerToEximUser(System.IO.Directory.CreateDirectory(Path.Combine(directory, sub)).FullName);
        }

        File.WriteAllText(environment.ConfigPath, EximTestConfig.Render(directory, agentSocket, timeout));
        File.SetUnixFileMode(environment.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return environment;
    }

    /// <summary>Starts <c>exim -C conf -bh CLIENT</c> and waits for the banner.</summary>
    public Task<EximSession> StartSessionAsync(string clientAddress) =>
        EximSession.StartAsync(EximPath, ["-C", ConfigPath, "-bh", clientAddress]);

    /// <summary>Starts a real daemon (<c>exim -C conf -DKK_PORT=PORT -bdf</c>) on 127.0.0.1 and ::1; it runs as Debian-exim.</summary>
    public Task<EximDaemon> StartDaemonAsync() => EximDaemon.StartAsync(EximPath, ConfigPath, Path.Combine(Directory, "log", "mainlog"));

    /// <summary>Runs <c>exim -C conf -be EXPRESSION</c> as root (note: root hides unix socket permission problems; use -bh for those).</summary>
    public async Task<EximExpansion> ExpandAsync(string expression)
    {
        var start = new ProcessStartInfo(EximPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-C", ConfigPath, "-be", expression })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("exim did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(SmtpDialog.ReplyTimeout);
        await process.WaitForExitAsync(guard.Token);
        return new EximExpansion(await output, await error, clock.Elapsed);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary><c>chown Debian-exim:Debian-exim PATH</c>: .NET has no chown, and this test needs no interop of its own.</summary>
    private static void ChangeOwnerToEximUser(string path)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", [$"{EximUser}:{EximUser}", path]) { UseShellExecute = false, RedirectStandardError = true })
            ?? throw new InvalidOperationException("chown did not start");
        var error = chown.StandardError.ReadToEnd();
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown {EximUser}:{EximUser} {path} failed ({error.Trim()}); install exim4-daemon-heavy and run as root");
        }
    }
}
