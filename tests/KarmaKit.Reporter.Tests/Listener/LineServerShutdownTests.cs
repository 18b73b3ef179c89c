using System.Diagnostics;
using System.Net.Sockets;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>Stopping: no new connections, in-flight ones finish within the grace, stragglers are cut off.</summary>
public abstract class LineServerShutdownTests : ListenerPathTests
{
    [Fact]
    public async Task Stop_RequestInFlight_FinishesWithinGrace()
    {
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromSeconds(30));
        using var client = await ReadsocketClient.ConnectAsync(sut.Tcp);
        await client.SendAsync("black 192.0."u8.ToArray(), SocketFlags.None);
        await TestWait.UntilAsync(() => sut.Server.ActiveConnections == 1);

        var stopping = sut.Server.StopAsync(CancellationToken.None);
        await client.SendAsync("2.1\n"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("ok 1\n", await ReadsocketClient.ReadToEndAsync(client));
        await stopping;
        Assert.Equal(0, sut.Server.ActiveConnections);
    }

    [Fact]
    public async Task Stop_IdleConnectionPastGrace_AbortedAndStopReturns()
    {
        await using var sut = await StartAsync(o => o.Listener.ClientTimeout = TimeSpan.FromSeconds(30), shutdownGrace: TimeSpan.FromMilliseconds(100));
        using var client = await ReadsocketClient.ConnectAsync(sut.Tcp);
        await TestWait.UntilAsync(() => sut.Server.ActiveConnections == 1);
        var clock = Stopwatch.StartNew();

        await sut.Server.StopAsync(CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(0, sut.Server.ActiveConnections);
        Assert.Equal("", await ReadsocketClient.ReadToEndAsync(client));
    }

    [Fact]
    public async Task Stop_Stopped_NewConnectionsRefused()
    {
        await using var sut = await StartAsync();
        var endPoint = sut.Tcp;

        await sut.Server.StopAsync(CancellationToken.None);

        var ex = await Assert.ThrowsAsync<SocketException>(() => ReadsocketClient.ConnectAsync(endPoint));
        Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
    }
}

public sealed class LineServerShutdownTestsDirect : LineServerShutdownTests
{
    protected override bool Direct => true;
}

public sealed class LineServerShutdownTestsSockets : LineServerShutdownTests
{
    protected override bool Direct => false;
}
