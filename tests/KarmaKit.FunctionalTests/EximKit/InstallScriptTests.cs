using KarmaKit.FunctionalTests.Exim;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// install.sh in a scratch root (DESTDIR). The real self-contained publish takes minutes on the CI machine, so
/// KARMAKIT_PUBLISHED points at a folder holding the two apphost executables this test run already built
/// (artifacts/bin/.../karmakit-reporter and karmakit-collector): the script installs them the same way.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private const UnixFileMode Mode0755 = Mode0644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Every regular file install.sh lays down, with its mode.</summary>
    private static readonly (string Path, UnixFileMode Mode)[] ExpectedFiles =
    [
        ("usr/lib/karmakit/karmakit-reporter", Mode0755),
        ("usr/lib/karmakit/karmakit-collector", Mode0755),
        ("usr/lib/systemd/system/karmakit-reporter.service", Mode0644),
        ("usr/lib/systemd/system/karmakit-collector.service", Mode0644),
        ("usr/lib/sysusers.d/karmakit.conf", Mode0644),
        ("usr/lib/tmpfiles.d/karmakit.conf", Mode0644),
        ("etc/logrotate.d/karmakit-collector", Mode0644),
        ("usr/share/doc/karmakit/README.md", Mode0644),
        ("usr/share/doc/karmakit/exim-config.md", Mode0644),
        ("etc/karmakit/reporter.json", Mode0640),
        ("etc/karmakit/collector.json", Mode0640),
        ("etc/karmakit/exim/karmakit-main.conf", Mode0644),
        ("etc/karmakit/exim/karmakit-acl.conf", Mode0644),
        ("etc/karmakit/exim/debian-check-data", Mode0644),
        ("usr/share/karmakit/exim/example/exim4.conf", Mode0644),
        ("usr/share/karmakit/exim/debian/debian-check-data", Mode0644),
        ("usr/share/karmakit/exim/debian/conf.d/main/00_karmakit_macros", Mode0644),
        ("usr/share/karmakit/exim/debian/conf.d/main/05_karmakit", Mode0644),
        ("usr/share/karmakit/exim/debian/conf.d/acl/25_karmakit", Mode0644),
    ];

    private readonly string _root = TestDirectories.CreateSearchable("kk-install-");

    private string DestDir => Path.Combine(_root, "dest");

    private string Published => Path.Combine(_root, "published");

    public InstallScriptTests()
    {
        Directory.CreateDirectory(Published);
        File.Copy(Binaries.Reporter, Path.Combine(Published, "karmakit-reporter"));
        File.Copy(Binaries.Collector, Path.Combine(Published, "karmakit-collector"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Install_ScratchRoot_ExpectedFilesModesAndLinks()
    {
        var result = await InstallAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var (path, mode) in ExpectedFiles)
        {
            var file = new FileInfo(Path.Combine(DestDir, path));
            Assert.True(file.Exists && file.LinkTarget is null, $"{path} missing");
            Assert.True(file.UnixFileMode == mode, $"{path}: {file.UnixFileMode}, expected {mode}");
        }

        var installed = Directory.EnumerateFiles(DestDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(DestDir, f)).Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedFiles.Select(f => f.Path).Append("usr/bin/karmakit-reporter").Append("usr/bin/karmakit-collector").Order(StringComparer.Ordinal), installed);
        foreach (var program in new[] { "karmakit-reporter", "karmakit-collector" })
        {
            Assert.Equal($"../lib/karmakit/{program}", new FileInfo(Path.Combine(DestDir, "usr/bin", program)).LinkTarget);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Published, program)), await File.ReadAllBytesAsync(Path.Combine(DestDir, "usr/lib/karmakit", program)));
        }

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Repository.EximConfig, "karmakit-acl.conf")), await File.ReadAllTextAsync(Path.Combine(DestDir, "etc/karmakit/exim/karmakit-acl.conf")));
    }

    [Fact]
    public async Task Install_SecondRunAfterAdminEdit_KeepsEditAndWritesDist()
    {
        Assert.Equal(0, (await InstallAsync()).ExitCode);
        var reporterJson = Path.Combine(DestDir, "etc/karmakit/reporter.json");
        const string edited = """{ "Reporter": { "Name": "edited by the admin" } }""";
        await File.WriteAllTextAsync(reporterJson, edited);

        var again = await InstallAsync();

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(edited, await File.ReadAllTextAsync(reporterJson));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "packaging/reporter.json")), await File.ReadAllTextAsync(reporterJson + ".dist"));
        Assert.Equal(Mode0640, new FileInfo(reporterJson + ".dist").UnixFileMode);
        Assert.False(File.Exists(Path.Combine(DestDir, "etc/karmakit/collector.json.dist")), "an unchanged file needs no .dist");
    }

    [Fact]
    public async Task Uninstall_KeepsConfigurationAndData_PurgeRemovesThem()
    {
        Assert.Equal(0, (await InstallAsync()).ExitCode);
        var data = new[] { "var/spool/karmakit/reports.seg", "var/lib/karmakit/state", "var/log/karmakit/karma.log" };
        foreach (var file in data)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(DestDir, file))!);
            await File.WriteAllTextAsync(Path.Combine(DestDir, file), "kept");
        }

        var uninstall = await InstallAsync("--uninstall");

        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        var left = Directory.EnumerateFiles(DestDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(DestDir, f)).Order(StringComparer.Ordinal);
        var kept = ExpectedFiles.Select(f => f.Path).Where(p => p.StartsWith("etc/karmakit/", StringComparison.Ordinal)).Concat(data).Order(StringComparer.Ordinal);
        Assert.Equal(kept, left);

        var purge = await InstallAsync("--uninstall", "--purge");

        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.Empty(Directory.EnumerateFiles(DestDir, "*", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(DestDir, "etc/karmakit")));
    }

    [Fact]
    public async Task Install_Units_SystemdAnalyzeVerifyAccepts()
    {
        Assert.Equal(0, (await InstallAsync()).ExitCode);
        // verify checks that ExecStart's program exists: point the copies at the binaries under DESTDIR.
        var units = Directory.CreateDirectory(Path.Combine(_root, "units")).FullName;
        var names = new[] { "karmakit-reporter.service", "karmakit-collector.service" };
        foreach (var name in names)
        {
            var text = await File.ReadAllTextAsync(Path.Combine(DestDir, "usr/lib/systemd/system", name));
            Assert.Contains("ExecStart=/usr/lib/karmakit/", text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(units, name), text.Replace("/usr/lib/karmakit/", Path.Combine(DestDir, "usr/lib/karmakit") + "/", StringComparison.Ordinal));
        }

        var verify = await ProcessRunner.RunAsync("systemd-analyze", ["verify", .. names.Select(n => Path.Combine(units, n))], environment: null);

        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    private Task<ProcessResult> InstallAsync(params string[] arguments) =>
        ProcessRunner.RunAsync(Path.Combine(Repository.Root, "install.sh"), arguments, new Dictionary<string, string> { ["DESTDIR"] = DestDir, ["KARMAKIT_PUBLISHED"] = Published });
}
