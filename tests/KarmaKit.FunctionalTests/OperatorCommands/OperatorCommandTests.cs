using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KarmaKit.FunctionalTests.EximKit;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.OperatorCommands;

/// <summary>
/// issue 4: the operator commands (<c>karmakit-collector lookup|allow|unallow|delist|stats</c>) as processes against the
/// real collector process, answers checked with real dig against its DNS port, and kept across a restart (a clean stop
/// with its snapshot, and a SIGKILL that leaves only karma.log).
/// </summary>
[Collection(WholeProcesses.Name)]
public sealed class OperatorCommandTests : IDisposable
{
    private const string ReporterName = "mx1";
    private const string ReporterToken = "operator-test-reporter-token-0123";
    private const string AdminToken = "operator-test-admin-token-0123456";

    private readonly string _dir = Directory.CreateTempSubdirectory("kk-operator-").FullName;
    private readonly int _http = CollectorProcess.FreePort();
    private readonly int _dns = CollectorProcess.FreePort();

    public OperatorCommandTests() => File.WriteAllText(TokenFile, AdminToken + "\n");

    private string TokenFile => Path.Combine(_dir, "admin.token");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commands_AllowAndDelist_InDnsAndKeptAcrossRestart(bool kill)
    {
        var collector = await StartAsync();
        try
        {
            await ReportAsync(collector, "192.0.2.10", "198.51.100.7");
            Assert.Equal("127.0.0.3", await DigAsync("10.2.0.192.bl.karmakit.test"));
            Assert.Equal("127.0.0.3", await DigAsync("7.100.51.198.bl.karmakit.test"));

            var allow = await CliAsync("allow", "192.0.2.0/24", "--reason", "customer relay", "--for", "7d", "--operator", "alice");
            Assert.True(allow.ExitCode == 0, allow.ToString());
            Assert.StartsWith("allow 192.0.2.0/24 by alice at ", allow.Lines[0], StringComparison.Ordinal);
            Assert.Equal("", await DigAsync("10.2.0.192.bl.karmakit.test")); // already, when the command returned

            var delist = await CliAsync("delist", "198.51.100.7", "--for", "1d", "--reason", "false positive");
            Assert.True(delist.ExitCode == 0, delist.ToString());
            Assert.Equal("", await DigAsync("7.100.51.198.bl.karmakit.test"));
            var single = await CliAsync("allow", "203.0.113.5", "--reason", "partner mx");
            Assert.True(single.ExitCode == 0, single.ToString());
            Assert.Equal("127.0.0.2", await DigAsync("5.113.0.203.wl.karmakit.test"));

            if (kill)
            {
                collector.Kill(); // no snapshot at stop: karma.log alone rebuilds them
            }
            else
            {
                Assert.Equal(0, await collector.StopAsync());
            }

            await collector.DisposeAsync();
            collector = await StartAsync();

            Assert.Equal("", await DigAsync("10.2.0.192.bl.karmakit.test"));
            Assert.Equal("", await DigAsync("7.100.51.198.bl.karmakit.test"));
            Assert.Equal("127.0.0.2", await DigAsync("5.113.0.203.wl.karmakit.test"));
            var lookup = await CliAsync("lookup", "192.0.2.10");
            Assert.True(lookup.ExitCode == 0, lookup.ToString());
            Assert.Contains("allowed by operator: 192.0.2.0/24 until", lookup.Output, StringComparison.Ordinal);
            Assert.Contains("reporter mx1: last ", lookup.Output, StringComparison.Ordinal);
            Assert.Contains("operator allow: 192.0.2.0/24 by alice at ", lookup.Output, StringComparison.Ordinal);
            var delisted = await CliAsync("lookup", "198.51.100.7");
            Assert.Contains("delisted by operator at ", delisted.Output, StringComparison.Ordinal);

            var unallow = await CliAsync("unallow", "192.0.2.0/24");
            Assert.True(unallow.ExitCode == 0, unallow.ToString());
            Assert.Equal("127.0.0.3", await DigAsync("10.2.0.192.bl.karmakit.test"));
        }
        finally
        {
            await collector.DisposeAsync();
        }
    }

    [Fact]
    public async Task Commands_JsonAndStats_Parse()
    {
        await using var collector = await StartAsync();
        await ReportAsync(collector, "192.0.2.20");

        var lookup = await CliAsync("lookup", "192.0.2.20", "--json");
        var stats = await CliAsync("stats");

        Assert.True(lookup.ExitCode == 0, lookup.ToString());
        using var json = JsonDocument.Parse(lookup.Output);
        Assert.True(json.RootElement.GetProperty("block").GetProperty("listed").GetBoolean());
        Assert.Equal("mx1", json.RootElement.GetProperty("reporters")[0].GetProperty("name").GetString());
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains("blocklist: 1 entries", stats.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_WrongTokenOrNoCollector_NonZeroWithAMessage()
    {
        var collector = await StartAsync();
        File.WriteAllText(TokenFile, "not-the-admin-token-0123456789");
        var refused = await CliAsync("delist", "192.0.2.30");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("403, wrong admin token", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllLines(CollectorProcess.LogPath(_dir)), l => l.Contains(" delist ", StringComparison.Ordinal));

        await collector.StopAsync();
        await collector.DisposeAsync();
        var down = await CliAsync("stats");
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("no collector answers at http://127.0.0.1:", down.Error, StringComparison.Ordinal);
    }

    private Task<CollectorProcess> StartAsync() => CollectorProcess.StartAsync(_dir, _http, new Dictionary<string, string> { [ReporterName] = ReporterToken },
        $"--Collector:Dns:Listen=127.0.0.1:{_dns}",
        $"--Collector:Admin:Token=sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AdminToken)))}");

    private Task<ProcessResult> CliAsync(string command, params string[] arguments) =>
        ProcessRunner.RunAsync(Binaries.Collector,
            [command, .. arguments, "--token-file", TokenFile, "--config", Path.Combine(_dir, "collector.json"), $"--Collector:Http=http://127.0.0.1:{_http}"],
            environment: null);

    private static async Task ReportAsync(CollectorProcess collector, params string[] subjects)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var reports = string.Join(",", subjects.Select(s => $$"""{"verb":"black","subject":"{{s}}","reason":"virus Eicar","first":"{{now}}","last":"{{now}}","count":1}"""));
        using var client = new HttpClient { BaseAddress = collector.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches")
        {
            Content = new StringContent($$"""{"reporter":"{{ReporterName}}","batch":"{{Guid.NewGuid():N}}","reports":[{{reports}}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReporterToken);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Real dig's short answer for an A query ("" for NXDOMAIN).</summary>
    private async Task<string> DigAsync(string name)
    {
        var info = new ProcessStartInfo("dig", ["+short", "+tries=1", "+time=5", "-p", _dns.ToString(System.Globalization.CultureInfo.InvariantCulture), "@127.0.0.1", name, "A"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dig did not start (apt-get install dnsutils)");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dig {name} exited {process.ExitCode}: {output}{await process.StandardError.ReadToEndAsync()}");
        return output.Trim();
    }
}
