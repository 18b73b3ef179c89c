using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Configuration;

public sealed class CollectorConfigurationTests : TempDirectory
{
    private string Absent => Path.Combine(Dir, "absent.json");

    [Fact]
    public void Build_MissingDefaultFile_GivesWorkingDefaults()
    {
        var sut = CollectorConfiguration.Bind(CollectorConfiguration.Build([$"--Collector:Data={Dir}"], Absent));

        Assert.Equal("http://127.0.0.1:8440", sut.Http);
        Assert.Equal("/var/log/karmakit/karma.log", sut.Log);
        Assert.False(sut.AllowPlainHttpOffLoopback);
        Assert.Equal(TimeSpan.FromDays(7), sut.Idempotency.Window);
        Assert.Equal(TimeSpan.FromMinutes(10), sut.State.SnapshotInterval);
        Assert.Equal(4L << 20, sut.Ingest.MaxBodyBytes);
        Assert.Empty(sut.Reporters);
        Assert.Empty(CollectorOptionsValidator.Collect(sut));
        Assert.Equal("/var/lib/karmakit", new CollectorOptions().Data);
    }

    [Fact]
    public void Build_MissingNamedFile_Throws()
    {
        Assert.Throws<FileNotFoundException>(() => CollectorConfiguration.Build(["--config", Absent]));
    }

    [Fact]
    public void Build_FileEnvironmentAndCommandLine_LastWins()
    {
        var file = Path.Combine(Dir, "collector.json");
        File.WriteAllText(file, """{"Collector":{"Data":"DIR","Log":"/file.log","Http":"http://127.0.0.1:1","Ingest":{"MaxReportsPerBatch":7}}}""".Replace("DIR", Dir, StringComparison.Ordinal));
        Environment.SetEnvironmentVariable("KARMAKIT_Collector__Log", "/env.log");
        Environment.SetEnvironmentVariable("KARMAKIT_Collector__Http", "http://127.0.0.1:2");
        try
        {
            var sut = CollectorConfiguration.Bind(CollectorConfiguration.Build(["--config", file, "--Collector:Http=http://127.0.0.1:3"]));

            Assert.Equal("/env.log", sut.Log);
            Assert.Equal("http://127.0.0.1:3", sut.Http);
            Assert.Equal(7, sut.Ingest.MaxReportsPerBatch);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KARMAKIT_Collector__Log", null);
            Environment.SetEnvironmentVariable("KARMAKIT_Collector__Http", null);
        }
    }

    [Fact]
    public void Build_ReportersFileInData_IsTheLowestLayer()
    {
        File.WriteAllText(Path.Combine(Dir, "reporters.json"),
            """{"Collector":{"Reporters":{"mx1":{"Token":"from-file-0123456789"},"mx2":{"Token":"from-file-0123456789"}}}}""");

        var sut = CollectorConfiguration.Bind(CollectorConfiguration.Build(
            [$"--Collector:Data={Dir}", "--Collector:Reporters:mx2:Token=from-cli-0123456789"], Absent));

        Assert.Equal("from-file-0123456789", sut.Reporters["mx1"].Token);
        Assert.Equal("from-cli-0123456789", sut.Reporters["mx2"].Token);
    }

    [Fact]
    public void Bind_ValueOfWrongType_NamesTheKey()
    {
        var configuration = CollectorConfiguration.Build([$"--Collector:Data={Dir}", "--Collector:Ingest:MaxBodyBytes=lots"], Absent);

        var ex = Assert.Throws<ConfigurationException>(() => CollectorConfiguration.Bind(configuration));
        Assert.Contains("Collector:Ingest:MaxBodyBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownKeys_NamesEveryFullKey()
    {
        var configuration = CollectorConfiguration.Build(
            [$"--Collector:Data={Dir}", "--Collector:Ingest:MaxBody=5", "--Collector:Reporters:mx1:Tokn=x", "--Collector:Htp=x"], Absent);

        var ex = Assert.Throws<ConfigurationException>(() => CollectorConfiguration.Bind(configuration));
        Assert.Equal("unknown configuration keys: Collector:Htp, Collector:Ingest:MaxBody, Collector:Reporters:mx1:Tokn", ex.Message);
    }

    [Fact]
    public void Collect_EveryBadValue_IsReportedAtOnceWithItsKey()
    {
        var sut = new CollectorOptions
        {
            Http = "http://collector.example.org:8440",
            Log = "",
            Data = "",
            Reporters = new(StringComparer.OrdinalIgnoreCase)
            {
                ["bad name"] = new ReporterEntry { Token = "long-enough-token-123" },
                ["mx1"] = new ReporterEntry { Token = "short" },
                ["mx2"] = new ReporterEntry { Token = "sha256:abc" },
                ["mx3"] = new ReporterEntry(),
            },
            Ingest = new IngestOptions
            {
                MaxBodyBytes = 10, MaxReportsPerBatch = 0, MaxHeaderBytes = 1, HeadersTimeout = TimeSpan.Zero, BodyTimeout = TimeSpan.Zero,
                MinBodyBytesPerSecond = -1, MaxConnections = 0, MaxClockSkew = TimeSpan.FromDays(2),
                RateLimit = new RateLimitOptions { Burst = 0, BatchesPerPeriod = 0, Period = TimeSpan.Zero },
            },
            Idempotency = new IdempotencyOptions { Window = TimeSpan.FromSeconds(1) },
            State = new StateOptions { SnapshotInterval = TimeSpan.FromSeconds(1), ProgressInterval = TimeSpan.Zero },
        };

        var errors = CollectorOptionsValidator.Collect(sut);

        string[] keys =
        [
            "Collector:Http", "Collector:Log", "Collector:Data",
            "Collector:Reporters:bad name", "Collector:Reporters:mx1:Token", "Collector:Reporters:mx2:Token", "Collector:Reporters:mx3:Token",
            "Collector:Ingest:MaxBodyBytes", "Collector:Ingest:MaxReportsPerBatch", "Collector:Ingest:MaxHeaderBytes",
            "Collector:Ingest:HeadersTimeout", "Collector:Ingest:BodyTimeout", "Collector:Ingest:MinBodyBytesPerSecond",
            "Collector:Ingest:MaxConnections", "Collector:Ingest:MaxClockSkew", "Collector:Ingest:RateLimit:Burst",
            "Collector:Ingest:RateLimit:BatchesPerPeriod", "Collector:Ingest:RateLimit:Period", "Collector:Idempotency:Window",
            "Collector:State:SnapshotInterval", "Collector:State:ProgressInterval",
        ];
        Assert.Equal(keys.Length, errors.Count);
        foreach (var key in keys)
        {
            Assert.Contains(errors, e => e.StartsWith(key + " ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:8440", false, true)]
    [InlineData("http://[::1]:8440", false, true)]
    [InlineData("http://localhost:8440", false, true)]
    [InlineData("http://192.0.2.10:8440", false, false)]
    [InlineData("http://0.0.0.0:8440", false, false)]
    [InlineData("http://0.0.0.0:8440", true, true)]
    public void Collect_PlainHttp_OnlyOnLoopbackUnlessAllowed(string http, bool allow, bool valid)
    {
        var sut = new CollectorOptions { Http = http, AllowPlainHttpOffLoopback = allow };

        var errors = CollectorOptionsValidator.Collect(sut);

        Assert.Equal(valid, errors.Count == 0);
        if (!valid)
        {
            Assert.Contains("Collector:AllowPlainHttpOffLoopback", Assert.Single(errors), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Collect_HttpsWithoutCertificate_NamesTheTlsKeys()
    {
        var sut = new CollectorOptions { Http = "https://0.0.0.0:8443" };

        var errors = CollectorOptionsValidator.Collect(sut);

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("Collector:Tls:Certificate ", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Collector:Tls:Key ", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_HttpsWithUnreadableCertificate_NamesTheKey()
    {
        var sut = new CollectorOptions { Http = "https://0.0.0.0:8443", Tls = new TlsOptions { Certificate = Absent, Key = Absent } };

        Assert.StartsWith("Collector:Tls:Certificate ", Assert.Single(CollectorOptionsValidator.Collect(sut)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8440", true)]
    [InlineData("https://[2001:db8::1]:8443", true)]
    [InlineData("http://127.0.0.1:8440/", true)]
    [InlineData("http://127.0.0.1:8440/v1", false)]
    [InlineData("ftp://127.0.0.1:8440", false)]
    [InlineData("http://collector.example.org:8440", false)]
    [InlineData("127.0.0.1:8440", false)]
    [InlineData("", false)]
    public void HttpEndpoint_TryParse_Forms(string text, bool valid) =>
        Assert.Equal(valid, HttpEndpoint.TryParse(text, out _));

    [Fact]
    public void Run_BadConfiguration_Exits78NamingEveryKey()
    {
        var error = new StringWriter();

        var code = CollectorCommand.Run(
            ["run", $"--Collector:Data={Dir}", "--Collector:Http=http://192.0.2.1:1", "--Collector:Ingest:MaxReportsPerBatch=0"],
            TextWriter.Null, error, Absent);

        Assert.Equal(CollectorCommand.ExitConfig, code);
        Assert.Contains("Collector:Http", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Collector:Ingest:MaxReportsPerBatch", error.ToString(), StringComparison.Ordinal);
    }
}
