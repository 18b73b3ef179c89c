using System.Net;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Dns.Transfer;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

/// <summary>The transfer handler on its own: the cap on concurrent transfers, the allowlist, serial arithmetic.</summary>
public class ZoneTransfersTests
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 40000);

    [Fact]
    public async Task ServeAsync_OverTheCap_ServFailAfterTheWaitWhileTheFirstStreams()
    {
        var options = new DnsOptions { TcpIdleTimeout = TimeSpan.FromMilliseconds(200), Transfer = new TransferOptions { MaxConcurrent = 1 } };
        Assert.True(TransferAllowList.TryParse("127.0.0.1", out var allow, out _));
        using var sut = new ZoneTransfers(DnsSettings.Create(options), DnsTestZones.Listing(), allow, options, NullLogger.Instance);
        var query = DnsPackets.Query(DnsTestZones.Bl, DnsWire.TypeAxfr);
        TransferRequest.Read(query, out var request);
        var release = new TaskCompletionSource();
        var first = sut.ServeAsync(query, TransferRequestKind.Axfr, request, Loopback, new byte[65535], async _ => await release.Task, CancellationToken.None);
        var second = new byte[65535];
        var length = 0;

        await sut.ServeAsync(query, TransferRequestKind.Axfr, request, Loopback, second, n => { length = n; return ValueTask.CompletedTask; }, CancellationToken.None);

        Assert.Equal((2, 1), (DnsAnswer.Parse(second.AsSpan(0, length)).Rcode, sut.Running));
        release.SetResult();
        await first;
        Assert.Equal(0, sut.Running);
    }

    [Fact]
    public void Capture_SameSerial_OneCopySharedUntilTheSerialChanges()
    {
        var listing = DnsTestZones.Listing();
        using var sut = new ZoneTransfers(DnsSettings.Create(new DnsOptions()), listing, TransferAllowList.Empty, new DnsOptions(), NullLogger.Instance);

        var first = sut.Capture(DnsList.Block);
        var again = sut.Capture(DnsList.Block);
        listing.Replace(DnsList.Block, []);
        var changed = sut.Capture(DnsList.Block);

        Assert.Same(first, again);
        Assert.NotSame(first, changed);
        Assert.Equal((first.Serial + 1, 1), (changed.Serial, changed.Entries.Count));
        Assert.NotSame(first, sut.Capture(DnsList.Allow));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.9", true)]
    [InlineData("192.0.2.0/24 2001:db8::/32", "2001:db8::5", true)]
    [InlineData("192.0.2.0/24,2001:db8::/32", "198.51.100.1", false)]
    [InlineData("", "127.0.0.1", false)]
    public void TransferAllowList_Client_AllowedWhenInANetwork(string networks, string client, bool expected)
    {
        Assert.True(TransferAllowList.TryParse(networks, out var sut, out _));

        Assert.Equal(expected, sut.Allows(IPAddress.Parse(client)));
    }

    [Theory]
    [InlineData(1u, 2u, true)]
    [InlineData(2u, 2u, false)]
    [InlineData(3u, 2u, false)]
    [InlineData(0xFFFF_FFFFu, 1u, true)]
    [InlineData(1u, 0xFFFF_FFFFu, false)]
    public void SerialIsOlder_Rfc1982(uint a, uint b, bool expected) => Assert.Equal(expected, SerialNumber.IsBefore(a, b));
}
