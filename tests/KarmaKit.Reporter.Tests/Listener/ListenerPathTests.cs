using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Listener;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Tests.Listener;

/// <summary>
/// A listener test class that runs over both paths: each test class derives once for the direct path
/// (accept4/recv/send on the descriptor, the default on Linux) and once for .NET sockets (Reporter:Listener:Direct=false).
/// </summary>
public abstract class ListenerPathTests
{
    protected abstract bool Direct { get; }

    private protected Task<ListenerHost> StartAsync(Action<ReporterOptions>? configure = null, ILogger<LineServer>? logger = null, TimeSpan? shutdownGrace = null) =>
        ListenerHost.StartAsync(o => { o.Listener.Direct = Direct; configure?.Invoke(o); }, logger, shutdownGrace);
}
