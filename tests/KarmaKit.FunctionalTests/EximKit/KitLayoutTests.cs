using KarmaKit.FunctionalTests.Exim;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// The kit's two layouts as an admin installs them, with paths moved into a throw-away directory: the complete
/// single-file example (exim-config/example/exim4.conf) and the Debian split configuration (this machine's
/// /etc/exim4/conf.d plus the kit's exim-config/debian/conf.d fragments, built by Debian's own update-exim4.conf).
/// </summary>
public sealed class KitLayoutTests
{
    private const string InstalledKit = "/etc/karmakit/exim";

    [Fact]
    public async Task Example_CopyWithKitPathsMoved_EximAcceptsIt()
    {
        var directory = TestDirectories.CreateSearchable("kk-layout-");
        try
        {
            var kit = KitConfig.CopyKit(directory);
            var config = Path.Combine(directory, "exim4.conf");
            var example = await File.ReadAllTextAsync(Path.Combine(Repository.EximConfig, "example", "exim4.conf"));
            Assert.Contains($".include {InstalledKit}/karmakit-main.conf", example, StringComparison.Ordinal);
            EximEnvironment.WriteRootFile(config, example.Replace(InstalledKit, kit, StringComparison.Ordinal));

            var result = await ProcessRunner.RunAsync(EximEnvironment.EximPath, "-C", config, "-bV");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains($"Configuration file is {config}", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Warning", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task DebianSplit_UpdateEximConf_EximAcceptsAndDebianRcptAclReportsOneDictionaryAttack()
    {
        Assert.True(Directory.Exists("/etc/exim4/conf.d"), "needs Debian's exim4-config (/etc/exim4/conf.d)");
        await using var agent = await AgentUnderTest.StartAsync();
        var directory = TestDirectories.CreateSearchable("kk-debian-");
        try
        {
            var output = BuildDebianSplitConfig(directory, agent.TcpSocket);
            var update = await ProcessRunner.RunAsync("update-exim4.conf", "-d", directory, "-o", output);
            Assert.True(update.ExitCode == 0, update.ToString());
            var generated = await File.ReadAllTextAsync(output);
            Assert.Contains("kk_debian_rcpt", generated, StringComparison.Ordinal);

            var check = await ProcessRunner.RunAsync(EximEnvironment.EximPath, "-C", output, "-bV");
            Assert.True(check.ExitCode == 0, check.ToString());

            // Debian's acl_check_rcpt, unchanged, refuses each unknown local recipient; the kit counts them on the way.
            var session = await EximSession.StartAsync(EximEnvironment.EximPath, ["-C", output, "-bh", "203.0.113.77"]);
            await using (session)
            {
                await session.ExpectAsync("EHLO client.example", 250);
                await session.ExpectAsync("MAIL FROM:<a@sender.example>", 250);
                for (var i = 1; i <= 6; i++)
                {
                    await session.ExpectAsync($"RCPT TO:<nobody{i}@localhost>", 550);
                }

                await session.ExpectAsync("QUIT", 221);
            }

            await KitAssert.ReportedOnceAsync(agent, session.LogLines, "black", "203.0.113.77", "dictionary 5 unknown recipients");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// DIRECTORY gets a copy of /etc/exim4/conf.d and update-exim4.conf.conf with dc_use_split_config='true', the kit
    /// in DIRECTORY/kit and the kit's fragments, with /etc/karmakit/exim moved there, KK_SOCK set to the agent and
    /// KK_TIMEOUT 5s (a freshly started agent on a loaded 2-core machine). Returns where update-exim4.conf should write.
    /// </summary>
    private static string BuildDebianSplitConfig(string directory, string agentSocket)
    {
        var confd = Path.Combine(directory, "conf.d");
        foreach (var source in Directory.EnumerateFiles("/etc/exim4/conf.d", "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(confd, Path.GetRelativePath("/etc/exim4/conf.d", source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        var settings = File.ReadAllLines("/etc/exim4/update-exim4.conf.conf")
            .Where(l => !l.StartsWith("dc_use_split_config=", StringComparison.Ordinal))
            .Append("dc_use_split_config='true'");
        File.WriteAllLines(Path.Combine(directory, "update-exim4.conf.conf"), settings);

        var kit = KitConfig.CopyKit(directory);
        var debian = Path.Combine(Repository.EximConfig, "debian");
        EximEnvironment.WriteRootFile(Path.Combine(kit, "debian-check-data"), File.ReadAllText(Path.Combine(debian, "debian-check-data")));
        foreach (var fragment in new[] { "main/00_karmakit_macros", "main/05_karmakit", "acl/25_karmakit" })
        {
            var lines = File.ReadAllLines(Path.Combine(debian, "conf.d", fragment)).Select(l =>
                l.StartsWith("KK_SOCK ", StringComparison.Ordinal) ? $"KK_SOCK = {agentSocket}"
                : l.StartsWith("KK_TIMEOUT ", StringComparison.Ordinal) ? "KK_TIMEOUT = 5s"
                : l.Replace(InstalledKit, kit, StringComparison.Ordinal));
            EximEnvironment.WriteRootFile(Path.Combine(confd, fragment), string.Join('\n', lines) + "\n");
        }

        return Path.Combine(directory, "exim4.conf");
    }
}
