using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Ingest;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Configuration;

public sealed class ReportersCommandTests : TempDirectory
{
    private int Run(out string output, params string[] args)
    {
        var stdout = new StringWriter();
        var code = CollectorCommand.Run([.. args, $"--Collector:Data={Dir}"], stdout, TextWriter.Null, Path.Combine(Dir, "absent.json"));
        output = stdout.ToString();
        return code;
    }

    [Fact]
    public void Add_NewReporter_PrintsATokenAndStoresOnlyItsHash()
    {
        Assert.Equal(0, Run(out var output, "reporters", "add", "mx1.example.org"));
        var token = output.Trim();

        var file = File.ReadAllText(Path.Combine(Dir, "reporters.json"));
        Assert.DoesNotContain(token, file, StringComparison.Ordinal);
        Assert.Contains("sha256:", file, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Dir, "reporters.json")));
        }

        var options = CollectorConfiguration.BindAndValidate(CollectorConfiguration.Build([$"--Collector:Data={Dir}"], Path.Combine(Dir, "absent.json")));
        var sut = new ReporterAuthenticator(options.Reporters);
        Assert.Equal("mx1.example.org", sut.Authenticate("Bearer " + token, out _));
        Assert.Null(sut.Authenticate("Bearer " + token + "x", out _));
    }

    [Fact]
    public void Add_ThenListThenRevoke_Works()
    {
        Run(out var token1, "reporters", "add", "mx1.example.org");
        Run(out var token2, "reporters", "add", "mx2.example.org");
        Assert.NotEqual(token1, token2);

        Assert.Equal(0, Run(out var list, "reporters", "list"));
        Assert.Equal(["mx1.example.org", "mx2.example.org"], list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]));

        Assert.Equal(0, Run(out _, "reporters", "revoke", "mx1.example.org"));
        Run(out list, "reporters", "list");
        Assert.StartsWith("mx2.example.org\t", list, StringComparison.Ordinal);
        Assert.Single(list.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Add_ExistingOrInvalidName_Fails()
    {
        Run(out _, "reporters", "add", "mx1.example.org");

        Assert.Equal(1, Run(out _, "reporters", "add", "mx1.example.org"));
        Assert.Equal(CollectorCommand.ExitUsage, Run(out _, "reporters", "add", "bad name"));
        Assert.Equal(1, Run(out _, "reporters", "revoke", "nobody"));
        Assert.Equal(CollectorCommand.ExitUsage, Run(out _, "reporters", "frobnicate"));
    }
}
