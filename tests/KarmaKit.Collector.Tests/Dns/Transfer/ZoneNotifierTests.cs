using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Dns.Transfer;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

/// <summary>NOTIFY to a secondary played by a real UDP socket on loopback.</summary>
public sealed class ZoneNotifierTests : IDisposable
{
    private readonly UdpClient _secondary = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly StaticListing _listing = DnsTestZones.Listing(serial: 100);

    public void Dispose() => _secondary.Dispose();

    [Fact]
    public async Task Start_Serial_NotifyWithTheSoaAnsweredOnce()
    {
        await using var sut = Notifier();
        sut.Start();

        var (notify, from) = await ReceiveAsync();
        await AnswerAsync(notify, from);

        Assert.Equal((4, true, false), (notify.Opcode, notify.Aa, notify.Qr));
        Assert.Equal(("bl.karmakit.test.", DnsWire.TypeSoa, DnsWire.ClassIn), Assert.Single(notify.Questions));
        Assert.Equal("ns1.karmakit.test. hostmaster.karmakit.test. 100 3600 600 604800 60", Assert.Single(notify.Answers).Text);
        Assert.Equal(IPAddress.Loopback, from.Address);
        await WaitUntilAsync(() => sut.Answered == 1);
    }

    [Fact]
    public async Task Changes_SeveralBeforeTheNextTick_OneNotifyWithTheLatestSerial()
    {
        var time = new FakeTimeProvider();
        await using var sut = Notifier(TimeSpan.FromSeconds(5), time);
        sut.Start();
        var (first, from) = await ReceiveAsync();
        await AnswerAsync(first, from);
        await WaitUntilAsync(() => sut.Answered == 1);

        for (var i = 0; i < 5; i++)
        {
            _listing.Replace(DnsList.Block, [new(IpSubject.Parse($"192.0.2.{i + 1}"), ListingAnswer.Listed)]);
        }

        time.Advance(TimeSpan.FromSeconds(5));

        var (next, nextFrom) = await ReceiveAsync();
        await AnswerAsync(next, nextFrom);
        await WaitUntilAsync(() => sut.Answered == 2);

        Assert.EndsWith(" 105 3600 600 604800 60", Assert.Single(next.Answers).Text, StringComparison.Ordinal);
        Assert.Equal(0, _secondary.Available); // nothing more was sent
    }

    [Fact]
    public async Task Unanswered_RetriedWithTheSameSerial()
    {
        await using var sut = Notifier();
        sut.Start();

        var (first, _) = await ReceiveAsync();
        var waited = Stopwatch.StartNew();
        var (retry, from) = await ReceiveAsync();
        await AnswerAsync(retry, from);

        Assert.Equal(Assert.Single(first.Answers).Text, Assert.Single(retry.Answers).Text);
        Assert.NotEqual(first.Id, retry.Id);
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5)); // the first wait is 1 s
        await WaitUntilAsync(() => sut.Answered == 1);
    }

    private ZoneNotifier Notifier(TimeSpan? interval = null, TimeProvider? time = null) => new(
        DnsSettings.Create(new DnsOptions { AllowZone = "" }), _listing, [(IPEndPoint)_secondary.Client.LocalEndPoint!],
        IPAddress.Loopback, interval ?? TimeSpan.FromMilliseconds(100), time ?? TimeProvider.System, NullLogger.Instance);

    private async Task<(DnsAnswer Notify, IPEndPoint From)> ReceiveAsync()
    {
        var received = await _secondary.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (DnsAnswer.Parse(received.Buffer), received.RemoteEndPoint);
    }

    /// <summary>What NSD sends back: the header with QR set and the question.</summary>
    private async Task AnswerAsync(DnsAnswer notify, IPEndPoint to)
    {
        var response = notify.Bytes[..(12 + DnsPackets.Name("bl.karmakit.test").Length + 4)];
        response[2] |= 0x80;
        response[7] = 0; // no answer records
        await _secondary.SendAsync(response, to);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
