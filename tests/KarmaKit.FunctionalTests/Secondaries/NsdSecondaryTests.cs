using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KarmaKit.FunctionalTests.Support;
using KarmaKit.Protocol.Batches;
using Xunit.Abstractions;

namespace KarmaKit.FunctionalTests.Secondaries;

/// <summary>
/// issue 4, scale-out on standard DNS: a real NSD secondary of the real collector transfers both zones, answers
/// exactly as the collector's own server does, and follows a new report within seconds of the NOTIFY, long before the
/// SOA refresh (one hour). Needs root and Debian's nsd, as CI has.
/// </summary>
[Collection(WholeProcesses.Name)]
public sealed class NsdSecondaryTests(ITestOutputHelper output) : IDisposable
{
    private const string Bl = "bl.karmakit.test";
    private const string Wl = "wl.karmakit.test";
    private const string Reporter = "mx1.example.org";
    private const string Token = "nsd-secondary-token";

    private readonly string _dir = Directory.CreateTempSubdirectory("kk-nsd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Nsd_AfterTransferAndAfterNotify_AnswersAsTheCollector()
    {
        var dnsPort = CollectorProcess.FreePort();
        var nsdPort = CollectorProcess.FreePort();
        await using var collector = await CollectorProcess.StartAsync(
            _dir, CollectorProcess.FreePort(), new Dictionary<string, string> { [Reporter] = Token },
            $"--Collector:Dns:Listen=127.0.0.1:{dnsPort}", "--Collector:Dns:Transfer:Allow=127.0.0.1",
            $"--Collector:Dns:Notify=127.0.0.1:{nsdPort}", "--Collector:Dns:NotifyInterval=00:00:01");
        string Context(NsdProcess nsd) => $"collector:\n{collector.Output}\nnsd:\n{nsd.Output}";
        using var http = new HttpClient { BaseAddress = collector.Url };
        await PostAsync(http, "b1", ("black", "192.0.2.10", "spam \"x\" costs $5 \\ café"), ("black", "2001:db8:5:6::1", "virus Eicar"), ("white", "198.51.100.7", null)); // a TXT with quotes, a backslash and UTF-8

        await using var nsd = NsdProcess.Start(Path.Combine(_dir, "nsd"), nsdPort, $"127.0.0.1@{dnsPort}", Bl, Wl);
        await WaitForSerialAsync(nsd, dnsPort, Bl, Context);
        await WaitForSerialAsync(nsd, dnsPort, Wl, Context);

        (string Name, string Type)[] queries =
        [
            ($"10.2.0.192.{Bl}", "A"), ($"10.2.0.192.{Bl}", "TXT"),                       // a listed IPv4
            (Nibbles("2001:db8:5:6::1", Bl), "A"), (Nibbles("2001:db8:5:6::1", Bl), "TXT"), // two addresses in a listed /64
            (Nibbles("2001:db8:5:6:ffff::9", Bl), "A"), (Nibbles("2001:db8:5:6:ffff::9", Bl), "TXT"),
            (Nibbles("2001:db8:5:7::1", Bl), "A"),                                          // the next /64: not listed
            ($"200.2.0.192.{Bl}", "A"), ($"200.2.0.192.{Bl}", "TXT"),                      // unlisted
            ($"2.0.0.127.{Bl}", "A"), ($"2.0.0.127.{Bl}", "TXT"), ($"1.0.0.127.{Bl}", "A"), // RFC 5782 test entries
            (Nibbles("::ffff:7f00:2", Bl), "A"), (Nibbles("::ffff:7f00:2", Bl), "TXT"), (Nibbles("::ffff:7f00:1", Bl), "A"),
            ($"7.100.51.198.{Wl}", "A"), ($"7.100.51.198.{Wl}", "TXT"), ($"7.100.51.198.{Bl}", "A"),
            ($"2.0.0.127.{Wl}", "TXT"), ($"1.0.0.127.{Wl}", "A"), ($"10.2.0.192.{Wl}", "A"),
            ($"10.2.0.192.{Bl}", "AAAA"), (Bl, "NS"), (Wl, "SOA"),
        ];
        foreach (var (name, type) in queries)
        {
            await AssertSameAsync(dnsPort, nsd.Port, name, type);
        }

        // A change: a new report; the collector answers at once, NSD after the NOTIFY and its transfer.
        var serial = await SerialAsync(dnsPort, Bl);
        await PostAsync(http, "b2", ("black", "192.0.2.11", "AUTH brute force"));
        Assert.Equal("NOERROR", (await Dig.AskAsync(dnsPort, $"11.2.0.192.{Bl}", "A")).Status);
        var sinceChange = Stopwatch.StartNew();
        while ((await Dig.AskAsync(nsd.Port, $"11.2.0.192.{Bl}", "A")).Status != "NOERROR")
        {
            Assert.True(sinceChange.Elapsed < TimeSpan.FromSeconds(20), $"NSD did not follow within 20 s\n{Context(nsd)}");
            await Task.Delay(50); // polling NSD for the change, not timing anything
        }

        output.WriteLine($"NSD answered the new entry {sinceChange.ElapsedMilliseconds} ms after the collector did");
        Assert.True(sinceChange.Elapsed < TimeSpan.FromSeconds(10), $"{sinceChange.Elapsed}\n{Context(nsd)}");
        Assert.NotEqual(serial, await SerialAsync(nsd.Port, Bl));
        foreach (var (name, type) in queries.Concat([($"11.2.0.192.{Bl}", "A"), ($"11.2.0.192.{Bl}", "TXT")]))
        {
            await AssertSameAsync(dnsPort, nsd.Port, name, type);
        }

        Assert.Contains("answered by 127.0.0.1", collector.Output, StringComparison.Ordinal);
        output.WriteLine(string.Join('\n', collector.Output.Split('\n').Where(l => l.Contains("[610", StringComparison.Ordinal))));
        Assert.Contains($"DNS IXFR of {Bl}. serial {serial + 1} to 127.0.0.1", collector.Output, StringComparison.Ordinal);
        Assert.Contains($"changes from serial {serial}: 0 entries removed, 1 added", collector.Output, StringComparison.Ordinal);
    }

    private static async Task AssertSameAsync(int collectorPort, int nsdPort, string name, string type)
    {
        var expected = await Dig.AskAsync(collectorPort, name, type);
        var actual = await Dig.AskAsync(nsdPort, name, type);
        Assert.Equal($"{name} {type} {expected}", $"{name} {type} {actual}");
    }

    private static async Task WaitForSerialAsync(NsdProcess nsd, int dnsPort, string zone, Func<NsdProcess, string> context)
    {
        var serial = await SerialAsync(dnsPort, zone);
        Assert.NotNull(serial);
        var waited = Stopwatch.StartNew();
        while (await SerialAsync(nsd.Port, zone) != serial)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"NSD did not transfer {zone} serial {serial} within 30 s\n{context(nsd)}");
            await Task.Delay(50); // polling NSD for its first transfer
        }
    }

    /// <summary>The SOA serial a server gives for a zone, or null.</summary>
    private static async Task<uint?> SerialAsync(int port, string zone)
    {
        var answer = await Dig.AskAsync(port, zone, "SOA");
        var soa = answer.Answer.FirstOrDefault(r => r.Contains(" IN SOA ", StringComparison.Ordinal));
        return answer.Status == "NOERROR" && soa is not null ? uint.Parse(soa.Split(' ')[6], CultureInfo.InvariantCulture) : null;
    }

    private static async Task PostAsync(HttpClient http, string batch, params (string Verb, string Subject, string? Reason)[] reports)
    {
        var now = DateTime.UtcNow;
        var body = new ReportBatch
        {
            Reporter = Reporter,
            Batch = batch,
            Reports = [.. reports.Select(r => new BatchReport { Verb = r.Verb, Subject = r.Subject, Reason = r.Reason, First = now, Last = now, Count = 1 })],
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches")
        {
            Content = new StringContent(JsonSerializer.Serialize(body, ProtocolJsonContext.Default.ReportBatch), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The RFC 5782 name of an IPv6 address: 32 reversed nibbles.</summary>
    private static string Nibbles(string address, string zone)
    {
        var bytes = System.Net.IPAddress.Parse(address).GetAddressBytes();
        var text = new StringBuilder();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            text.Append(CultureInfo.InvariantCulture, $"{bytes[i] & 0xF:x}.{bytes[i] >> 4:x}.");
        }

        return text + zone;
    }
}
