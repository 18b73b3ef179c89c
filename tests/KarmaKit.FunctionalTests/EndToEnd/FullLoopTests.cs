using System.Diagnostics;
using System.Globalization;
using KarmaKit.FunctionalTests.Exim;
using KarmaKit.FunctionalTests.EximKit;
using KarmaKit.FunctionalTests.Support;
using Xunit.Abstractions;

namespace KarmaKit.FunctionalTests.EndToEnd;

/// <summary>
/// issues 4 and 5, the full loop: Exim with the kit refuses a virus from X and reports it through the real reporter to
/// the real collector, whose DNS server then lists X, so Exim's <c>dnslists</c> (kk_check_lists, at connect) refuses
/// X's next session with the list's TXT in the 550. All in a private network namespace (<see cref="PrivateNetwork"/>)
/// with the kit's default zones. Needs root, exim4-daemon-heavy, unshare, nsenter and ip, as CI has.
/// </summary>
[Collection(WholeProcesses.Name)]
public sealed class FullLoopTests(ITestOutputHelper output) : IDisposable
{
    private const string Sender = "a@sender.example";
    private const string Recipient = "u@test.example";
    private const string X = "203.0.113.5";
    private const string NotReported = "192.0.2.77";
    private const string White = "198.51.100.7"; // in KitOptions.WhiteHosts: clean mail from it is reported white
    private static readonly string[] VirusHeader = ["X-KK-Sim-Virus: Eicar-Test-Signature"];

    private readonly string _dir = TestDirectories.CreateSearchable("kk-fullloop-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task FullLoop_VirusReported_NextSessionRefusedByDnsListWithTxt()
    {
        await using var network = await PrivateNetwork.StartAsync(_dir);
        using var exim = KitConfig.CreateEnvironment(PrivateNetwork.AgentSocket);
        string Context() => network.Diagnostics();

        // W: clean mail (reported white), then a virus (reported black): white wins.
        await using (var clean = await network.StartSessionAsync(exim, White))
        {
            Assert.Equal(220, clean.Banner!.Code);
            Assert.Equal(250, (await clean.SendMessageAsync(Sender, Recipient, [])).Code);
            Assert.Contains(clean.LogLines, l => l.Contains($"{KitConfig.ReportedPrefix}white {White}", StringComparison.Ordinal));
            await clean.ExpectAsync("QUIT", 221);
        }

        await using (var virus = await network.StartSessionAsync(exim, White))
        {
            Assert.Equal(550, (await virus.SendMessageAsync(Sender, Recipient, VirusHeader)).Code);
            Assert.Contains(virus.LogLines, l => l.Contains($"{KitConfig.ReportedPrefix}black {White}", StringComparison.Ordinal));
        }

        // Session 1 from X: not listed yet; the virus is refused and reported (the reporter answered ok).
        Stopwatch sinceReport;
        await using (var first = await network.StartSessionAsync(exim, X))
        {
            Assert.Equal(220, first.Banner!.Code);
            var reply = await first.SendMessageAsync(Sender, Recipient, VirusHeader);
            sinceReport = Stopwatch.StartNew(); // the 550 comes right after readsocket got the reporter's ok
            Assert.Equal(550, reply.Code);
            Assert.Contains(first.LogLines, l => l.Contains($"{KitConfig.ReportedPrefix}black {X} (virus Eicar-Test-Signature): ok", StringComparison.Ordinal));
        }

        // Session 2 from X, again and again until the DNS list refuses it at connect.
        SmtpReply? refused = null;
        var attempts = 0;
        while (refused is null && sinceReport.Elapsed < TimeSpan.FromSeconds(30))
        {
            attempts++;
            await using var next = await network.StartSessionAsync(exim, X);
            if (next.Banner!.Code == 550)
            {
                refused = next.Banner;
                sinceReport.Stop();
            }
            else
            {
                Assert.Equal(220, next.Banner.Code);
                await next.ExpectAsync("QUIT", 221);
                await Task.Delay(20);
            }
        }

        var elapsed = sinceReport.Elapsed;
        output.WriteLine($"FULLLOOP report-to-refusal {elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)} s after {attempts} session(s): {refused}");
        Assert.True(refused is not null, $"{X} was not refused within 30 s of its report ({attempts} sessions){Context()}");
        var text = string.Join(' ', refused!.Lines); // Exim 4.96 wraps a long ACL message at about 75 columns, here after the ':'
        Assert.Contains($"{X} is listed at bl.karmakit.test: virus Eicar-Test-Signature - see http://127.0.0.1:8440/lookup/{X}", text, StringComparison.Ordinal);

        // A host nobody reported, and the allowlisted W, still get in.
        foreach (var client in new[] { NotReported, White })
        {
            await using var session = await network.StartSessionAsync(exim, client);
            Assert.True(session.Banner!.Code == 220, $"{client}: {session.Banner}{Context()}");
            await session.ExpectAsync("EHLO client.example", 250);
            await session.ExpectAsync("QUIT", 221);
        }

        // What the DNS server says about each, as Exim's resolver sees it.
        Assert.Equal("127.0.0.3", await LookupAsync(network, exim, X, "bl"));
        Assert.Equal("none", await LookupAsync(network, exim, White, "bl"));
        Assert.Equal("127.0.0.2", await LookupAsync(network, exim, White, "wl"));
        Assert.Equal("none", await LookupAsync(network, exim, NotReported, "bl"));

        // Measured 0.25-0.27 s on a loaded 2-core machine (the reporter's default MaxBatchAge is 0.2 s of it).
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"refused only {elapsed.TotalSeconds:F3} s after the report{Context()}");
    }

    private static async Task<string> LookupAsync(PrivateNetwork network, EximEnvironment exim, string address, string zone)
    {
        var reversed = string.Join('.', address.Split('.').Reverse());
        return await network.ExpandAsync(exim, $"${{lookup dnsdb{{a={reversed}.{zone}.karmakit.test}}{{$value}}{{none}}}}");
    }
}
