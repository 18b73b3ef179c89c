using System.Net;
using System.Text.RegularExpressions;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Tests.Compat;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KarmaKit.Collector.Tests.Metrics;

public sealed partial class MetricsEndpointTests : TempDirectory
{
    [Fact]
    public async Task Get_AfterRealIngest_CountsEveryOutcome()
    {
        await using var sut = await TestCollector.StartAsync(Dir, "--Collector:Compat:Tcp=127.0.0.1:0", "--Collector:Compat:Sources:legacy-mx3=127.0.0.1");
        var mixed = new KarmaKit.Protocol.Batches.ReportBatch
        {
            Reporter = TestCollector.Reporter1,
            Batch = "b1",
            Reports = [Batches.Report(1), Batches.Report(2, verb: "white"), Batches.Report(3)],
        };
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json(mixed)));
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json(mixed)));
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b2", reporter: TestCollector.Reporter2), TestCollector.Token2));
        await sut.PostAsync(Batches.Json("b3"), "wrong-token-0123456789");
        await sut.PostAsync("{\"reporter\":", TestCollector.Token1);
        Assert.Equal("ok\nerror syntax unknown verb (expected black or white)\n", await CompatClient.SendAsync(CompatClient.EndPoint(sut), "black 192.0.2.99\ngrey 192.0.2.98\n"));

        var response = await sut.Client.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var samples = Samples(text);
        Assert.Equal(2, samples["karmakit_reports_accepted_total{reporter=\"mx1.example.org\",verb=\"black\"}"]);
        Assert.Equal(1, samples["karmakit_reports_accepted_total{reporter=\"mx1.example.org\",verb=\"white\"}"]);
        Assert.Equal(1, samples["karmakit_reports_accepted_total{reporter=\"mx2.example.org\",verb=\"black\"}"]);
        Assert.Equal(1, samples["karmakit_reports_accepted_total{reporter=\"legacy-mx3\",verb=\"black\"}"]);
        Assert.Equal(0, samples["karmakit_reports_accepted_total{reporter=\"legacy-mx3\",verb=\"white\"}"]);
        Assert.Equal(2, samples["karmakit_batches_accepted_total"]);
        Assert.Equal(1, samples["karmakit_batches_duplicate_total"]);
        Assert.Equal(1, samples["karmakit_batches_refused_total{reason=\"unauthorized\"}"]);
        Assert.Equal(1, samples["karmakit_batches_refused_total{reason=\"bad_request\"}"]);
        Assert.Equal(0, samples["karmakit_batches_refused_total{reason=\"rate_limited\"}"]);
        Assert.Equal(1, samples["karmakit_compat_lines_accepted_total"]);
        Assert.Equal(1, samples["karmakit_compat_lines_refused_total{reason=\"syntax\"}"]);
        Assert.Equal(new FileInfo(sut.LogPath).Length, samples["karmakit_log_size_bytes"]);
        Assert.Equal(5, sut.LogLines().Length);
        var syncs = (await sut.WriterAsync()).SyncCount;
        Assert.Equal(syncs, samples["karmakit_log_fsync_seconds_count"]);
        Assert.Equal(syncs, samples["karmakit_log_fsync_seconds_bucket{le=\"+Inf\"}"]);
        Assert.Equal(syncs, samples["karmakit_log_group_commit_size_count"]);
        Assert.Equal(1, samples["karmakit_log_writable"]);
        Assert.Equal(2, samples["karmakit_batch_ids"]);
        Assert.True(samples["karmakit_replay_seconds"] > 0); // set by the state rebuild at start
    }

    [Fact]
    public async Task Get_ReplaySecondsSet_IsExposed()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        sut.Services.GetRequiredService<CollectorMetrics>().ReplaySeconds = 1.5;

        var samples = Samples(await sut.Client.GetStringAsync("metrics"));

        Assert.Equal(1.5, samples["karmakit_replay_seconds"]);
    }

    [Fact]
    public async Task Get_Format_EveryFamilyHasHelpThenTypeBeforeItsSamples()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("b1")));

        var lines = (await sut.Client.GetStringAsync("metrics")).Split('\n');

        Assert.Equal("", lines[^1]); // ends with a newline
        string? family = null;
        var families = new HashSet<string>();
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                family = line.Split(' ')[2];
                Assert.True(families.Add(family), $"family {family} appears twice");
                Assert.Equal($"# TYPE {family} ", lines[++i][..(8 + family.Length)]);
                Assert.Matches(@"^# TYPE \S+ (counter|gauge|histogram)$", lines[i]);
                continue;
            }

            Assert.Matches(SampleLine(), line);
            Assert.NotNull(family);
            Assert.StartsWith(family!, line, StringComparison.Ordinal);
        }

        Assert.Contains("karmakit_log_fsync_seconds", families);
    }

    [Fact]
    public async Task Get_MetricsDisabled_404()
    {
        await using var sut = await TestCollector.StartAsync(Dir, "--Collector:Metrics:Enabled=false");

        Assert.Equal(HttpStatusCode.NotFound, (await sut.Client.GetAsync("metrics")).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", false, 200)]
    [InlineData("::1", false, 200)]
    [InlineData("::ffff:127.0.0.1", false, 200)]
    [InlineData("192.0.2.50", false, 403)]
    [InlineData("192.0.2.50", true, 200)]
    public async Task HandleAsync_RemoteClient_403UnlessAllowed(string remote, bool allowRemote, int status)
    {
        var options = new CollectorOptions { Log = Path.Combine(Dir, "karma.log"), Data = Dir, Metrics = new MetricsOptions { AllowRemote = allowRemote } };
        await using var log = new KarmaKit.Collector.Storage.KarmaLogService(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<KarmaKit.Collector.Storage.KarmaLogService>.Instance);
        var sut = new MetricsEndpoint(new CollectorMetrics(), log, options);
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Response.Body = new MemoryStream();

        await sut.HandleAsync(context);

        Assert.Equal(status, context.Response.StatusCode);
    }

    private static Dictionary<string, double> Samples(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => (Name: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary(s => s.Name, s => s.Value);

    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*")*\})? (?:[-+]?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex SampleLine();
}
