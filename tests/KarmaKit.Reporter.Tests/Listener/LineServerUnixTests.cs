using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using KarmaKit.Reporter.Configuration;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>
/// The unix socket (Exim's KK_SOCK) over both paths. On the direct path a unix connection is accepted at once,
/// before its line may have arrived: the tests cover a request that is there, one that comes later, and one never sent.
/// </summary>
public sealed class LineServerUnixTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "karmakit-unix-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_BothEximModes_RepliedAndSpooledInOrder(bool direct)
    {
        await using var sut = await StartAsync(direct);

        var first = await ReadsocketClient.ExchangeAsync(Target, "black 192.0.2.1 virus Eicar\n");
        var (second, elapsed) = await ReadsocketClient.TimedExchangeAsync(Target, "white 192.0.2.2\nblack 192.0.2.3\n"u8.ToArray(), shutdown: false);

        Assert.Equal("ok 1\n", first);
        Assert.Equal("ok 2\nok 3\n", second);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], sut.Spool.Reports.Select(r => r.Subject.ToString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_SentAfterConnecting_Served(bool direct)
    {
        await using var sut = await StartAsync(direct);
        using var client = await ReadsocketClient.ConnectAsync(Target);
        await TestWait.UntilAsync(() => sut.Server.ActiveConnections == 1); // accepted with nothing to read yet

        await client.SendAsync("black 192.0.2."u8.ToArray(), SocketFlags.None);
        await Task.Delay(50);
        await client.SendAsync("9\n"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("ok 1\n", await ReadsocketClient.ReadToEndAsync(client));
        Assert.Equal("192.0.2.9", Assert.Single(sut.Spool.Reports).Subject.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_SilentClient_CutOffAfterClientTimeout(bool direct)
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        await using var sut = await StartAsync(direct, o => o.Listener.ClientTimeout = timeout);
        using var client = await ReadsocketClient.ConnectAsync(Target);
        var clock = Stopwatch.StartNew();

        var reply = await ReadsocketClient.ReadToEndAsync(client);

        Assert.Equal("error timeout no complete request in time\n", reply);
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_LimitsAndGarbage_ErrorRepliesAndTheListenerLivesOn(bool direct)
    {
        await using var sut = await StartAsync(direct, o => o.Listener.MaxLinesPerRequest = 2);

        var tooLong = await ReadsocketClient.ExchangeAsync(Target, "black 192.0.2.1 " + new string('a', 2000) + "\n");
        var tooMany = await ReadsocketClient.ExchangeAsync(Target, "black 192.0.2.1\nblack 192.0.2.2\nblack 192.0.2.3\n");
        var garbage = await ReadsocketClient.ExchangeAsync(Target, Encoding.Latin1.GetString([0xFF, 0x00, 0xC3, 0x28, (byte)'\n']));
        var empty = await ReadsocketClient.ExchangeAsync(Target, "");
        var good = await ReadsocketClient.ExchangeAsync(Target, "black 192.0.2.4\n");

        Assert.Equal("error too-long line longer than 1024 bytes\n", tooLong);
        Assert.Equal("error too-many-lines more than 2 lines in one request\n", tooMany);
        Assert.StartsWith("error ", garbage, StringComparison.Ordinal);
        Assert.Equal("error syntax empty request\n", empty);
        Assert.Equal("ok 1\n", good);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stop_AcceptWaiting_ReturnsPromptlyAndRemovesTheSocket(bool direct)
    {
        var sut = await StartAsync(direct);
        Assert.Equal("ok 1\n", await ReadsocketClient.ExchangeAsync(Target, "black 192.0.2.1\n"));
        var clock = Stopwatch.StartNew();

        await sut.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.False(File.Exists(SocketPath));
    }

    private string SocketPath => Path.Combine(_dir, "reporter.sock");

    private UnixDomainSocketEndPoint Target => new(SocketPath);

    private Task<ListenerHost> StartAsync(bool direct, Action<ReporterOptions>? configure = null) =>
        ListenerHost.StartAsync(o =>
        {
            o.Tcp = "";
            o.UnixSocket = SocketPath;
            o.Listener.Direct = direct;
            configure?.Invoke(o);
        });
}
