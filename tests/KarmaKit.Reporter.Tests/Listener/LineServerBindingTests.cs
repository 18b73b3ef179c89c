using System.Net;
using System.Net.Sockets;
using KarmaKit.Reporter.Listener;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>Endpoints: loopback rule, the unix socket file's life cycle, mode and group.</summary>
public sealed class LineServerBindingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kk-listener-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("0.0.0.0:0")]
    [InlineData("[::]:0")]
    public async Task Start_NonLoopbackNotAllowed_Refused(string tcp)
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenerHost.StartAsync(o => o.Tcp = tcp));

        Assert.Contains("AllowNonLoopback", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NonLoopbackAllowed_ListensAndWarns()
    {
        var logger = new ListLogger();

        await using var sut = await ListenerHost.StartAsync(o => { o.Tcp = "0.0.0.0:0"; o.Listener.AllowNonLoopback = true; }, logger);

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.EventId == 1002);
        Assert.Equal("ok 1\n", await ReadsocketClient.ExchangeAsync(new IPEndPoint(IPAddress.Loopback, sut.Tcp.Port), "black 192.0.2.1\n"));
    }

    [Fact]
    public async Task Start_TcpPortInUse_FailsWithClearMessage()
    {
        await using var first = await ListenerHost.StartAsync();

        var ex = await Assert.ThrowsAsync<IOException>(() => ListenerHost.StartAsync(o => o.Tcp = first.Tcp.ToString()));

        Assert.Contains("Reporter:Tcp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RestartWhileConnectionsInTimeWait_Binds()
    {
        // The listener closes first, so TIME_WAIT sits on its port; a restart must still bind it.
        int port;
        await using (var first = await ListenerHost.StartAsync())
        {
            port = first.Tcp.Port;
            Assert.Equal("ok 1\n", await ReadsocketClient.ExchangeAsync(first.Tcp, "black 192.0.2.1\n", shutdown: false));
        }

        await using var second = await ListenerHost.StartAsync(o => o.Tcp = $"127.0.0.1:{port}");

        Assert.Equal("ok 1\n", await ReadsocketClient.ExchangeAsync(second.Tcp, "black 192.0.2.1\n"));
    }

    [Fact]
    public async Task UnixSocket_DefaultAndShutdownNoModes_Served()
    {
        var path = Path.Combine(_dir, "run", "reporter.sock");
        await using var sut = await ListenerHost.StartAsync(o => { o.Tcp = ""; o.UnixSocket = path; });

        var endPoint = new UnixDomainSocketEndPoint(path);
        var first = await ReadsocketClient.ExchangeAsync(endPoint, "black 192.0.2.1\n");
        var (second, elapsed) = await ReadsocketClient.TimedExchangeAsync(endPoint, "white 192.0.2.2\n"u8.ToArray(), shutdown: false);

        Assert.Equal("ok 1\n", first);
        Assert.Equal("ok 2\n", second);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
    }

    [Fact]
    public async Task UnixSocket_ModeAndGroup_AppliedAndFileRemovedOnStop()
    {
        var path = Path.Combine(_dir, "reporter.sock");
        Assert.True(UnixFile.TryResolveGroup("Debian-exim", out var gid));

        var sut = await ListenerHost.StartAsync(o => { o.UnixSocket = path; o.Listener.UnixSocketMode = "0660"; o.Listener.UnixSocketGroup = "Debian-exim"; });
        Assert.True(UnixFile.TryStat(path, out var status));
        await sut.DisposeAsync();

        Assert.True(status.IsSocket);
        Assert.Equal((UnixFileMode)0b110_110_000, status.Mode);
        Assert.Equal(gid, status.Gid);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task UnixSocket_NumericGroupAndMode_Applied()
    {
        var path = Path.Combine(_dir, "reporter.sock");

        await using var sut = await ListenerHost.StartAsync(o => { o.UnixSocket = path; o.Listener.UnixSocketMode = "0600"; o.Listener.UnixSocketGroup = "105"; });

        Assert.True(UnixFile.TryStat(path, out var status));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, status.Mode);
        Assert.Equal(105u, status.Gid);
    }

    [Fact]
    public async Task UnixSocket_UnknownGroup_Refused()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ListenerHost.StartAsync(o => { o.UnixSocket = Path.Combine(_dir, "r.sock"); o.Listener.UnixSocketGroup = "no-such-group-kk"; }));

        Assert.Contains("UnixSocketGroup", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnixSocket_StaleFile_RemovedAndServed()
    {
        var path = Path.Combine(_dir, "reporter.sock");
        using (var crashed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET unlinks the file it bound on Dispose; a crash does not. Moving it away first keeps it.
            crashed.Bind(new UnixDomainSocketEndPoint(path + ".tmp"));
            crashed.Listen();
            File.Move(path + ".tmp", path);
        }

        Assert.True(File.Exists(path));
        var logger = new ListLogger();

        await using var sut = await ListenerHost.StartAsync(o => o.UnixSocket = path, logger);

        Assert.Contains(logger.Entries, e => e.EventId == 1003);
        Assert.Equal("ok 1\n", await ReadsocketClient.ExchangeAsync(new UnixDomainSocketEndPoint(path), "black 192.0.2.1\n"));
    }

    [Fact]
    public async Task UnixSocket_InUse_RefusedAndLeftAlone()
    {
        var path = Path.Combine(_dir, "reporter.sock");
        await using var first = await ListenerHost.StartAsync(o => o.UnixSocket = path);

        var ex = await Assert.ThrowsAsync<IOException>(() => ListenerHost.StartAsync(o => o.UnixSocket = path));

        Assert.Contains("in use", ex.Message, StringComparison.Ordinal);
        Assert.Equal("ok 1\n", await ReadsocketClient.ExchangeAsync(new UnixDomainSocketEndPoint(path), "black 192.0.2.1\n"));
    }

    [Fact]
    public async Task UnixSocket_RegularFileAtPath_RefusedAndKept()
    {
        var path = Path.Combine(_dir, "reporter.sock");
        await File.WriteAllTextAsync(path, "not a socket");

        var ex = await Assert.ThrowsAsync<IOException>(() => ListenerHost.StartAsync(o => o.UnixSocket = path));

        Assert.Contains("not a socket", ex.Message, StringComparison.Ordinal);
        Assert.Equal("not a socket", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task UnixSocket_DirectoryCannotBeCreated_ClearMessage()
    {
        var blocker = Path.Combine(_dir, "file");
        await File.WriteAllTextAsync(blocker, "");

        var ex = await Assert.ThrowsAsync<IOException>(() => ListenerHost.StartAsync(o => o.UnixSocket = Path.Combine(blocker, "reporter.sock")));

        Assert.StartsWith("cannot create the directory of Reporter:UnixSocket", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnixSocketFailsAfterTcpBound_TcpReleased()
    {
        var path = Path.Combine(_dir, "reporter.sock");
        await File.WriteAllTextAsync(path, "not a socket");
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        await Assert.ThrowsAsync<IOException>(() => ListenerHost.StartAsync(o => { o.Tcp = $"127.0.0.1:{port}"; o.UnixSocket = path; }));

        await using var sut = await ListenerHost.StartAsync(o => o.Tcp = $"127.0.0.1:{port}");
        Assert.Equal(port, sut.Tcp.Port);
    }

    [Fact]
    public async Task AddReporterListener_Registered_ResolvesHostedLineServer()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(ListenerHost.DefaultOptions())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ISpoolWriter>(new RecordingSpoolWriter());

        services.AddReporterListener();
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<LineServer>(Assert.Single(provider.GetServices<IHostedService>()));
    }
}
