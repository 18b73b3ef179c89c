using System.Diagnostics;
using KarmaKit.TestSupport;

namespace KarmaKit.Collector.Tests.Dns;

/// <summary>Real dig (dnsutils, installed by .ci/run) over UDP and TCP against the server in the collector host.</summary>
public sealed class DigTests(DigTests.ServerFixture fixture) : IClassFixture<DigTests.ServerFixture>
{
    private const string Bl = DnsTestZones.Bl;

    [Theory]
    [InlineData("")]
    [InlineData("+tcp")]
    public async Task Dig_ListedA_CodeWithAuthority(string transport)
    {
        var sut = await DigAsync($"2.0.0.127.{Bl} A {transport}");

        Assert.Equal("NOERROR", sut.Status);
        Assert.Contains("aa", sut.Flags);
        Assert.DoesNotContain("ra", sut.Flags);
        Assert.Equal([$"2.0.0.127.{Bl}. 300 IN A 127.0.0.2"], sut.Answer);
        Assert.Equal(transport == "+tcp", sut.OverTcp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+tcp")]
    public async Task Dig_ListedTxt_ReasonAndUrl(string transport)
    {
        var sut = await DigAsync($"99.2.0.192.{Bl} TXT {transport}");

        Assert.Equal([$"99.2.0.192.{Bl}. 300 IN TXT \"virus Eicar - see http://127.0.0.1:8440/lookup/192.0.2.99\""], sut.Answer);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+tcp")]
    public async Task Dig_Unlisted_NxDomainWithSoa(string transport)
    {
        var sut = await DigAsync($"1.0.0.127.{Bl} A {transport}");

        Assert.Equal("NXDOMAIN", sut.Status);
        Assert.Empty(sut.Answer);
        Assert.Equal([$"{Bl}. 60 IN SOA ns1.karmakit.test. hostmaster.karmakit.test. 2026112701 3600 600 604800 60"], sut.Authority);
    }

    [Theory]
    [InlineData("2.0.0.127", "AAAA")]
    [InlineData("127", "A")]
    [InlineData("0.0.127", "TXT")]
    [InlineData("0.0.0.0.0.0.f.7.f.f.f.f", "A")]
    public async Task Dig_OtherTypeOrPartialName_NoData(string labels, string type)
    {
        var sut = await DigAsync($"{labels}.{Bl} {type}");

        Assert.Equal(("NOERROR", 0), (sut.Status, sut.Answer.Count));
        Assert.Contains(" IN SOA ", Assert.Single(sut.Authority), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dig_ApexSoaAndNs_Answered()
    {
        var soa = await DigAsync($"{Bl} SOA");
        var ns = await DigAsync($"{Bl} NS +tcp");

        Assert.Equal([$"{Bl}. 300 IN SOA ns1.karmakit.test. hostmaster.karmakit.test. 2026112701 3600 600 604800 60"], soa.Answer);
        Assert.Equal([$"{Bl}. 300 IN NS ns1.karmakit.test."], ns.Answer);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("2.0.0.127.karmakit.test")]
    public async Task Dig_OutsideTheZones_Refused(string name) => Assert.Equal("REFUSED", (await DigAsync($"{name} A")).Status);

    [Theory]
    [InlineData("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2", "NOERROR")]
    [InlineData("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", "NOERROR")]
    [InlineData("1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", "NXDOMAIN")]
    public async Task Dig_IPv6Nibbles_ListedOrNot(string nibbles, string status)
    {
        var sut = await DigAsync($"{nibbles}.{Bl} A");

        Assert.Equal((status, status == "NOERROR" ? 1 : 0), (sut.Status, sut.Answer.Count));
    }

    [Theory]
    [InlineData("+bufsize=4096")]
    [InlineData("+bufsize=512")]
    public async Task Dig_Edns_OurPayloadSizeEchoed(string bufsize)
    {
        var sut = await DigAsync($"2.0.0.127.{Bl} A {bufsize}");

        Assert.Contains("; EDNS: version: 0, flags:; udp: 1232", sut.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dig_NoEdns_NoOpt() => Assert.DoesNotContain("EDNS:", (await DigAsync($"2.0.0.127.{Bl} A +noedns")).Output, StringComparison.Ordinal);

    [Fact]
    public async Task Dig_Any_OnlyTheA()
    {
        var sut = await DigAsync($"2.0.0.127.{Bl} ANY");

        Assert.Equal([$"2.0.0.127.{Bl}. 300 IN A 127.0.0.2"], sut.Answer);
    }

    [Fact]
    public async Task Dig_TruncatedOverUdp_RetriesOverTcp()
    {
        var names = string.Join(',', Enumerable.Range(0, 12).Select(i => $"ns{i}.{new string('n', 40)}.example.net"));
        var directory = Directory.CreateTempSubdirectory("kk-dig-").FullName;
        try
        {
            await using var server = await DnsTestServer.StartAsync(directory, null, $"--Collector:Dns:Ns={names}");

            var sut = await DigAsync($"{Bl} NS +noedns", server);

            Assert.Contains("Truncated, retrying in TCP mode", sut.Output, StringComparison.Ordinal);
            Assert.Equal(12, sut.Answer.Count);
            Assert.True(sut.OverTcp);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private Task<DigResult> DigAsync(string arguments) => DigAsync(arguments, fixture.Server);

    private static async Task<DigResult> DigAsync(string arguments, DnsTestServer server)
    {
        var info = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in $"-p {server.EndPoint!.Port} @127.0.0.1 +norec +time=5 +tries=1 {arguments}".Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dig did not start (apt-get install dnsutils)");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"dig {arguments} exited {process.ExitCode}: {output}{await process.StandardError.ReadToEndAsync()}");
        return DigResult.Parse(output);
    }

    public sealed class ServerFixture : IAsyncLifetime
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("kk-dig-").FullName;

        internal DnsTestServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await DnsTestServer.StartAsync(_directory);

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>What dig said (<see cref="DigAnswer"/>), its whole output, and whether it went over TCP.</summary>
    private sealed record DigResult(string Output, string Status, string[] Flags, List<string> Answer, List<string> Authority, bool OverTcp)
    {
        public static DigResult Parse(string output)
        {
            var dig = DigAnswer.Parse(output);
            return new DigResult(output, dig.Status, dig.Flags, dig.Answer, dig.Authority, output.Contains("(TCP)", StringComparison.Ordinal));
        }
    }
}
