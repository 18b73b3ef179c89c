using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Listener;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>
/// The agent side of the Exim tests for now: the real <see cref="LineServer"/> in this process, on loopback
/// port 0 and a unix socket (mode 0660, group Debian-exim, as Exim connects as that user), over a recording
/// spool. The Exim harness only sees <see cref="TcpSocket"/> / <see cref="UnixSocket"/>, so a real agent
/// process can take its place without touching the harness.
/// </summary>
internal sealed class InProcessAgent : IAsyncDisposable
{
    private readonly string _directory;

    private InProcessAgent(LineServer server, RecordingSpoolWriter spool, string directory, string unixPath)
    {
        Server = server;
        Spool = spool;
        _directory = directory;
        UnixPath = unixPath;
    }

    public LineServer Server { get; }

    public RecordingSpoolWriter Spool { get; }

    public string UnixPath { get; }

    /// <summary>The readsocket name for TCP: <c>inet:127.0.0.1:PORT</c>.</summary>
    public string TcpSocket => $"inet:127.0.0.1:{Server.TcpEndPoint!.Port}";

    /// <summary>The readsocket name for the unix socket: its path.</summary>
    public string UnixSocket => UnixPath;

    public static async Task<InProcessAgent> StartAsync(string unixSocketMode = "0660", string unixSocketGroup = EximEnvironment.EximUser)
    {
        var directory = TestDirectories.CreateSearchable("kk-agent-");
        var path = Path.Combine(directory, "reporter.sock");
        var options = new ReporterOptions { Tcp = "127.0.0.1:0", UnixSocket = path };
        options.Listener.UnixSocketMode = unixSocketMode;
        options.Listener.UnixSocketGroup = unixSocketGroup;
        var spool = new RecordingSpoolWriter();
        var server = new LineServer(options, spool, TimeProvider.System, NullLogger<LineServer>.Instance);
        await server.StartAsync(CancellationToken.None);
        return new InProcessAgent(server, spool, directory, path);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
