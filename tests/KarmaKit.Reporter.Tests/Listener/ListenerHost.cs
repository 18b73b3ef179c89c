using System.Net;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Listener;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>A started <see cref="LineServer"/> on loopback port 0 (and optionally a unix socket) over a recording spool.</summary>
internal sealed class ListenerHost : IAsyncDisposable
{
    private ListenerHost(LineServer server, RecordingSpoolWriter spool, ReporterOptions options)
    {
        Server = server;
        Spool = spool;
        Options = options;
    }

    public LineServer Server { get; }

    public RecordingSpoolWriter Spool { get; }

    public ReporterOptions Options { get; }

    public IPEndPoint Tcp => Server.TcpEndPoint ?? throw new InvalidOperationException("no TCP listener");

    public static ReporterOptions DefaultOptions() => new() { Tcp = "127.0.0.1:0", UnixSocket = "" };

    public static async Task<ListenerHost> StartAsync(Action<ReporterOptions>? configure = null, ILogger<LineServer>? logger = null, TimeSpan? shutdownGrace = null)
    {
        var options = DefaultOptions();
        configure?.Invoke(options);
        var spool = new RecordingSpoolWriter();
        var server = new LineServer(options, spool, TimeProvider.System, logger ?? NullLogger<LineServer>.Instance)
        {
            ShutdownGrace = shutdownGrace ?? TimeSpan.FromSeconds(2),
        };
        await server.StartAsync(CancellationToken.None);
        return new ListenerHost(server, spool, options);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
