using KarmaKit.Reporter.Configuration;

namespace KarmaKit.Reporter.Tests.Configuration;

public sealed class ReporterConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kk-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Build_MissingDefaultFile_GivesDefaults()
    {
        var sut = ReporterConfiguration.Bind(ReporterConfiguration.Build([], Path.Combine(_dir, "absent.json")));

        Assert.Equal("127.0.0.1:4444", sut.Tcp);
        Assert.Equal("/run/karmakit/reporter.sock", sut.UnixSocket);
        Assert.Equal("/var/spool/karmakit", sut.Spool);
        Assert.Equal("http://127.0.0.1:8440/", sut.CollectorUrl);
        Assert.Null(sut.Token);
        Assert.Equal(Durability.Fsync, sut.Journal.Durability);
        Assert.Empty(ReporterOptionsValidator.Collect(sut));
    }

    [Fact]
    public void Build_MissingNamedFile_Throws()
    {
        Assert.Throws<FileNotFoundException>(() =>
            ReporterConfiguration.Build(["--config", Path.Combine(_dir, "absent.json")]));
    }

    [Fact]
    public void Build_FileEnvironmentAndCommandLine_LastWins()
    {
        var file = Path.Combine(_dir, "reporter.json");
        File.WriteAllText(file, """{"Reporter":{"Name":"from-file","Tcp":"127.0.0.1:1","Spool":"/file","Listener":{"MaxConnections":7}}}""");
        Environment.SetEnvironmentVariable("KARMAKIT_Reporter__Tcp", "127.0.0.1:2");
        Environment.SetEnvironmentVariable("KARMAKIT_Reporter__Spool", "/env");
        try
        {
            var sut = ReporterConfiguration.Bind(ReporterConfiguration.Build(["--config", file, "--Reporter:Spool=/cli"]));

            Assert.Equal("from-file", sut.Name);
            Assert.Equal("127.0.0.1:2", sut.Tcp);
            Assert.Equal("/cli", sut.Spool);
            Assert.Equal(7, sut.Listener.MaxConnections);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KARMAKIT_Reporter__Tcp", null);
            Environment.SetEnvironmentVariable("KARMAKIT_Reporter__Spool", null);
        }
    }

    [Fact]
    public void Bind_ValueOfWrongType_NamesTheKey()
    {
        var configuration = ReporterConfiguration.Build(["--Reporter:Listener:MaxConnections=many"], Path.Combine(_dir, "absent.json"));

        var ex = Assert.Throws<ConfigurationException>(() => ReporterConfiguration.Bind(configuration));
        Assert.Contains("Reporter:Listener:MaxConnections", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownKey_NamesTheKey()
    {
        var configuration = ReporterConfiguration.Build(["--Reporter:Listener:MaxConnection=5"], Path.Combine(_dir, "absent.json"));

        var ex = Assert.Throws<ConfigurationException>(() => ReporterConfiguration.Bind(configuration));
        Assert.Contains("MaxConnection", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_EveryBadValue_IsReportedAtOnceWithItsKey()
    {
        var sut = new ReporterOptions
        {
            Name = "bad name",
            Tcp = "localhost:4444",
            UnixSocket = "relative.sock",
            Spool = "",
            CollectorUrl = "ftp://collector",
            Token = "has space",
            Listener = new ListenerOptions { MaxLineBytes = 10, MaxLinesPerRequest = 0, MaxConnections = 0, ClientTimeout = TimeSpan.Zero, Backlog = 0, UnixSocketMode = "0999" },
            Journal = new JournalOptions { SegmentBytes = 1, MaxBytes = 1 },
            Shipping = new ShippingOptions { MaxBatchReports = 0, MaxBatchBytes = 1, AttemptTimeout = TimeSpan.Zero, BreakFailureRatio = 2 },
        };

        var errors = ReporterOptionsValidator.Collect(sut);

        string[] keys =
        [
            "Reporter:Name", "Reporter:Tcp", "Reporter:UnixSocket", "Reporter:Spool", "Reporter:CollectorUrl", "Reporter:Token",
            "Reporter:Listener:MaxLineBytes", "Reporter:Listener:MaxLinesPerRequest", "Reporter:Listener:MaxConnections",
            "Reporter:Listener:ClientTimeout", "Reporter:Listener:Backlog", "Reporter:Listener:UnixSocketMode",
            "Reporter:Journal:SegmentBytes", "Reporter:Journal:MaxBytes",
            "Reporter:Shipping:MaxBatchReports", "Reporter:Shipping:MaxBatchBytes", "Reporter:Shipping:AttemptTimeout",
            "Reporter:Shipping:BreakFailureRatio",
        ];
        Assert.Equal(keys.Length, errors.Count);
        foreach (var key in keys)
        {
            Assert.Contains(errors, e => e.StartsWith(key + " ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("127.0.0.1:4444", true)]
    [InlineData("[::1]:4444", true)]
    [InlineData("0.0.0.0:4444", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("127.0.0.1:70000", false)]
    [InlineData("::1:4444", false)]
    [InlineData("localhost:4444", false)]
    public void TryParseEndPoint_Forms(string text, bool valid) =>
        Assert.Equal(valid, ReporterOptionsValidator.TryParseEndPoint(text, out _));

    [Fact]
    public void SplitConfigArgument_BothForms_AreTakenOut()
    {
        var (file, rest) = ReporterConfiguration.SplitConfigArgument(["--config=/a.json", "--Reporter:Tcp=x"], "/default");
        Assert.Equal("/a.json", file);
        Assert.Equal(["--Reporter:Tcp=x"], rest);

        Assert.Throws<ConfigurationException>(() => ReporterConfiguration.SplitConfigArgument(["--config"], "/default"));
    }
}
