using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KarmaKit.FunctionalTests.EximKit;
using KarmaKit.FunctionalTests.Support;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.FunctionalTests.Export;

/// <summary>
/// The zone export served by real rbldnsd (Debian's package) answers as the collector's own DNS server does: the real
/// collector lists addresses from a reporter's batch, writes its export, rbldnsd loads it, and dig asks both the same
/// questions. The master files pass named-checkzone (BIND) and nsd-checkzone (NSD).
/// </summary>
public sealed partial class RbldnsdEquivalenceTests : IDisposable
{
    private const string Token = "token-of-mx1-0123456789";
    private const string Bl = "bl.karmakit.test";
    private const string Wl = "wl.karmakit.test";

    private readonly string _dir = Exim.TestDirectories.CreateSearchable("kk-export-"); // rbldnsd reads as user rbldns

    private string Zones => Path.Combine(_dir, "data", "zones");

    [Theory]
    [InlineData("{reason} - see {url}", "\"virus \\\"Eicar\\\" costs $5 \\\\ caf\\195\\169 - see https://bl.example.org/?ip=192.0.2.7&x=$1\"")] // IPv4 from rbldnsd's base template
    [InlineData("{address}={reason} {url}", "\"192.0.2.7=virus \\\"Eicar\\\" costs $5 \\\\ caf\\195\\169 https://bl.example.org/?ip=192.0.2.7&x=$1\"")] // every entry literal
    public async Task Export_ServedByRbldnsd_AnswersAsTheCollector(string template, string txt)
    {
        await using var collector = await CollectorProcess.StartAsync(_dir, CollectorProcess.FreePort(), new Dictionary<string, string> { ["mx1"] = Token },
            "--Collector:Export:Interval=00:00:01", "--Collector:Dns:LookupUrl=https://bl.example.org/?ip={address}&x=$1", $"--Collector:Dns:TxtTemplate={template}");
        var dns = await DnsPortAsync(collector);
        await PostAsync(collector,
            Report("black", "192.0.2.7", "virus \"Eicar\" costs $5 \\ café"),
            Report("black", "192.0.2.8", "#literal = yes"),
            Report("black", "2001:db8:1:2::5", "=spam # not a comment"),
            Report("white", "198.51.100.9", "customer relay"));
        var blSerial = Serial((await Dig.AskAsync(dns, Bl, "SOA")).Answer);
        var wlSerial = Serial((await Dig.AskAsync(dns, Wl, "SOA")).Answer);
        await WaitForAsync(() => FileSerial($"{Bl}.ip6trie") == blSerial && FileSerial($"{Bl}.ip4set") == blSerial
            && FileSerial($"{Wl}.ip4set") == wlSerial && FileSerial($"{Wl}.ip6trie") == wlSerial, collector);

        await using var rbldnsd = await RbldnsdProcess.StartAsync(Zones,
            $"{Bl}:ip4set:{Bl}.ip4set", $"{Bl}:ip6trie:{Bl}.ip6trie", $"{Wl}:ip4set:{Wl}.ip4set", $"{Wl}:ip6trie:{Wl}.ip6trie");

        string[] names =
        [
            $"7.2.0.192.{Bl}", // listed IPv4, TXT with quotes, '$', '\' and UTF-8
            $"8.2.0.192.{Bl}", // listed IPv4 whose reason rbldnsd would not keep in a default line
            $"{Nibbles("2001:db8:1:2::5")}.{Bl}", // the reported address in the listed /64
            $"{Nibbles("2001:db8:1:2:ffff:1:2:3")}.{Bl}", // another address in it
            $"{Nibbles("2001:db8:1:3::5")}.{Bl}", // the next /64: not listed
            $"99.2.0.192.{Bl}", // not listed
            $"9.100.51.198.{Bl}", // white: not on the blocklist
            $"2.0.0.127.{Bl}", $"1.0.0.127.{Bl}", // RFC 5782 test entries
            $"{Nibbles("::ffff:7f00:2")}.{Bl}", $"{Nibbles("::ffff:7f00:1")}.{Bl}",
            $"9.100.51.198.{Wl}", // on the allowlist
            $"7.2.0.192.{Wl}", // not on it
            $"2.0.0.127.{Wl}", $"1.0.0.127.{Wl}",
            $"{Nibbles("::ffff:7f00:2")}.{Wl}", $"{Nibbles("::ffff:7f00:1")}.{Wl}",
        ];
        var listed = 0;
        foreach (var name in names)
        {
            foreach (var type in (string[])["A", "TXT"])
            {
                var ours = await Dig.AskAsync(dns, name, type);
                var theirs = await Dig.AskAsync(rbldnsd.Port, name, type);

                Assert.True(ours.Status == theirs.Status && ours.Answer.SequenceEqual(theirs.Answer), $"{name} {type}: collector {ours}, rbldnsd {theirs}");
                if (ours.Status == "NXDOMAIN")
                {
                    Assert.Equal(ours.Authority, theirs.Authority); // the SOA, with the negative TTL
                }

                listed += ours.Answer.Count;
            }
        }

        foreach (var (apex, type) in (IEnumerable<(string, string)>)[(Bl, "SOA"), (Bl, "NS"), (Wl, "SOA"), (Wl, "NS")])
        {
            var ours = await Dig.AskAsync(dns, apex, type);
            var theirs = await Dig.AskAsync(rbldnsd.Port, apex, type);

            Assert.True(ours.Status == "NOERROR" && ours.Answer.Count == 1 && ours.Answer.SequenceEqual(theirs.Answer), $"{apex} {type}: collector {ours}, rbldnsd {theirs}");
        }

        Assert.Equal(2 * 9, listed); // 9 names listed, each with an A and a TXT: the comparison is not between two empty zones
        Assert.Equal([$"7.2.0.192.{Bl}. 300 IN TXT {txt}"], (await Dig.AskAsync(rbldnsd.Port, $"7.2.0.192.{Bl}", "TXT")).Answer);
    }

    [Fact]
    public async Task Export_MasterFiles_PassNamedCheckzoneAndNsdCheckzone()
    {
        await using var collector = await CollectorProcess.StartAsync(_dir, CollectorProcess.FreePort(), new Dictionary<string, string> { ["mx1"] = Token },
            "--Collector:Export:Interval=00:00:01");
        await PostAsync(collector, Report("black", "192.0.2.8", "spam \"quoted\" ; (not) a comment"), Report("black", "2001:db8:9::1", "auth"));
        await WaitForAsync(() => File.Exists(Path.Combine(Zones, $"{Bl}.zone")) && File.ReadAllText(Path.Combine(Zones, $"{Bl}.zone")).Contains("8.2.0.192 ", StringComparison.Ordinal), collector);

        foreach (var zone in (string[])[Bl, Wl])
        {
            var sut = await ProcessRunner.RunAsync("named-checkzone", "-i", "full", zone, Path.Combine(Zones, $"{zone}.zone"));

            var nsd = await ProcessRunner.RunAsync("nsd-checkzone", zone, Path.Combine(Zones, $"{zone}.zone"));

            Assert.True(sut.ExitCode == 0, sut.ToString());
            Assert.Matches($@"zone {Regex.Escape(zone)}/IN: loaded serial \d+", sut.Output);
            Assert.True(nsd.ExitCode == 0, nsd.ToString());
            Assert.Equal($"zone {zone} is ok", nsd.Output.Trim());
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BatchReport Report(string verb, string subject, string reason) => new()
    {
        Verb = verb,
        Subject = subject,
        Reason = reason,
        First = DateTime.UtcNow.AddMinutes(-1),
        Last = DateTime.UtcNow,
        Count = 1,
    };

    private static async Task PostAsync(CollectorProcess collector, params BatchReport[] reports)
    {
        using var client = new HttpClient { BaseAddress = collector.Url };
        var batch = new ReportBatch { Reporter = "mx1", Batch = Guid.NewGuid().ToString("N"), Reports = reports };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches")
        {
            Content = new StringContent(JsonSerializer.Serialize(batch, ProtocolJsonContext.Default.ReportBatch), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The DNS port the collector picked, from its start-up line (event 6000).</summary>
    private static async Task<int> DnsPortAsync(CollectorProcess collector)
    {
        Match match = Match.Empty;
        await WaitForAsync(() => (match = DnsListening().Match(collector.Output)).Success, collector);
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static uint Serial(List<string> soa) => uint.Parse(Assert.Single(soa).Split(' ')[6], System.Globalization.CultureInfo.InvariantCulture);

    private uint? FileSerial(string file)
    {
        var path = Path.Combine(Zones, file);
        return File.Exists(path) ? uint.Parse(File.ReadLines(path).First().Split("serial ")[1], System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The 32 reversed nibbles of an IPv6 address.</summary>
    private static string Nibbles(string address)
    {
        var hex = Convert.ToHexStringLower(System.Net.IPAddress.Parse(address).GetAddressBytes());
        return string.Join('.', hex.Reverse());
    }

    private static async Task WaitForAsync(Func<bool> condition, CollectorProcess collector)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"condition not met within 30 s; collector output:\n{collector.Output}");
            await Task.Delay(50); // polling files and output for a condition, not timing
        }
    }

    [GeneratedRegex(@"DNS serving .* on 127\.0\.0\.1:(\d+) \(UDP")]
    private static partial Regex DnsListening();
}
