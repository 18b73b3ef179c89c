using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

/// <summary>Real dig (dnsutils) asking the server for zone transfers.</summary>
public sealed partial class DigTransferTests : TempDirectory
{
    [Fact]
    public async Task DigAxfr_AllowedClient_TheZoneAsTheServerAnswersIt()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, "--Collector:Dns:Transfer:Allow=127.0.0.1");

        var sut = await DigAsync(server, $"{DnsTestZones.Bl} AXFR");

        var soa = "bl.karmakit.test. 300 IN SOA ns1.karmakit.test. hostmaster.karmakit.test. 2026112701 3600 600 604800 60";
        var v6 = DnsPackets.Nibbles("2001:db8:1:2:3:4:567:89ab", DnsTestZones.Bl);
        var test6 = "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.karmakit.test.";
        Assert.Equal(
            [
                soa,
                "bl.karmakit.test. 300 IN NS ns1.karmakit.test.",
                "2.0.0.127.bl.karmakit.test. 300 IN A 127.0.0.2",
                "2.0.0.127.bl.karmakit.test. 300 IN TXT \"RFC 5782 test entry - see http://127.0.0.1:8440/lookup/127.0.0.2\"",
                $"{test6} 300 IN A 127.0.0.2",
                $"{test6} 300 IN TXT \"RFC 5782 test entry - see http://127.0.0.1:8440/lookup/127.0.0.2\"",
                "99.2.0.192.bl.karmakit.test. 300 IN A 127.0.0.3",
                "99.2.0.192.bl.karmakit.test. 300 IN TXT \"virus Eicar - see http://127.0.0.1:8440/lookup/192.0.2.99\"",
                $"{v6}. 300 IN A 127.0.0.2",
                $"{v6}. 300 IN TXT \"listed - see http://127.0.0.1:8440/lookup/2001:db8:1:2:3:4:567:89ab\"",
                soa,
            ],
            sut.Records);
        Assert.Contains(";; XFR size: 11 records (messages 1,", sut.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigIxfr_CurrentSerial_OneSoa()
    {
        await using var server = await DnsTestServer.StartAsync(Dir, null, "--Collector:Dns:Transfer:Allow=127.0.0.1");

        var sut = await DigAsync(server, $"{DnsTestZones.Bl} IXFR=2026112701");

        Assert.Equal(["bl.karmakit.test. 300 IN SOA ns1.karmakit.test. hostmaster.karmakit.test. 2026112701 3600 600 604800 60"], sut.Records);
    }

    [Fact]
    public async Task DigAxfr_ClientNotAllowed_TransferFailed()
    {
        await using var server = await DnsTestServer.StartAsync(Dir);

        var sut = await DigAsync(server, $"{DnsTestZones.Bl} AXFR");

        Assert.Empty(sut.Records);
        Assert.Contains("; Transfer failed.", sut.Output, StringComparison.Ordinal);
    }

    private static async Task<(List<string> Records, string Output)> DigAsync(DnsTestServer server, string arguments)
    {
        var info = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in $"@{server.EndPoint!.Address} -p {server.EndPoint.Port.ToString(CultureInfo.InvariantCulture)} +nocomments {arguments}".Split(' '))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dig did not start (apt-get install dnsutils)");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var records = output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(';')).Select(l => WhiteSpace().Replace(l.Trim(), " ")).ToList();
        return (records, output);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
