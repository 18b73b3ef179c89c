using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>
/// The agent side of the Exim tests: the real <c>karmakit-reporter</c> as a child process, on a free loopback
/// port and a unix socket (mode 0660, group Debian-exim, as Exim connects as that user) in a directory the Exim
/// user can reach, spooling there and shipping to a <see cref="RecordingCollector"/>. The collector refuses until
/// <see cref="DeliverAsync"/>, so what the agent acknowledged can first be seen waiting in its spool.
/// </summary>
internal sealed class AgentUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory;

    private AgentUnderTest(AgentProcess process, RecordingCollector collector, string directory, int port)
    {
        Process = process;
        Collector = collector;
        _directory = directory;
        TcpSocket = $"inet:127.0.0.1:{port}";
    }

    public AgentProcess Process { get; }

    public RecordingCollector Collector { get; }

    /// <summary>The readsocket name for TCP: <c>inet:127.0.0.1:PORT</c>.</summary>
    public string TcpSocket { get; }

    /// <summary>The readsocket name for the unix socket: its path.</summary>
    public string UnixSocket => Path.Combine(_directory, "reporter.sock");

    public string Spool => Path.Combine(_directory, "spool");

    public static async Task<AgentUnderTest> StartAsync(string unixSocketMode = "0660", string unixSocketGroup = EximEnvironment.EximUser)
    {
        var directory = TestDirectories.CreateSearchable("kk-agent-");
        var collector = await RecordingCollector.StartAsync();
        collector.Refusing = true;
        try
        {
            var tcp = Readsocket.FreeLoopbackEndPoint();
            string[] arguments =
            [
                $"--Reporter:Spool={Path.Combine(directory, "spool")}",
                $"--Reporter:CollectorUrl={collector.Url}",
                $"--Reporter:Token={collector.Token}",
                $"--Reporter:Listener:UnixSocketMode={unixSocketMode}",
                $"--Reporter:Listener:UnixSocketGroup={unixSocketGroup}",
                "--Reporter:Shipping:MaxBatchAge=00:00:00.020",
                "--Reporter:Shipping:RetryDelay=00:00:00.050",
                "--Reporter:Shipping:MaxRetryDelay=00:00:00.300",
                "--Reporter:Shipping:BreakDuration=00:00:00.500",
            ];
            var process = await AgentProcess.StartAsync(tcp, arguments, Path.Combine(directory, "reporter.sock"));
            return new AgentUnderTest(process, collector, directory, tcp.Port);
        }
        catch
        {
            await collector.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary><c>karmakit-reporter status</c> over this agent's spool.</summary>
    public Task<ReporterStatus> StatusAsync() => ReporterStatus.RunAsync(Spool);

    /// <summary>Lets the collector accept and waits until the spool says every report it holds was delivered.</summary>
    public Task<ReporterStatus> DeliverAsync()
    {
        Collector.Refusing = false;
        return ReporterStatus.WaitUntilAsync(Spool, s => s.QueueDepth == 0 && s.DeliveredThrough == s.LastSequence, DeliveryTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        await Collector.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
