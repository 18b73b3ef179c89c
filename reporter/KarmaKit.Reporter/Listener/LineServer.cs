using System.Net;
using System.Net.Sockets;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Listener.Direct;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Listener;

/// <summary>
/// The readsocket listener (DESIGN.md §1): one accept loop per endpoint (Reporter:Tcp, Reporter:UnixSocket),
/// a connection cap that answers <c>error busy</c> at once instead of leaving callers in the backlog, and
/// tiered accept errors (stop on shutdown, back off on descriptor or buffer exhaustion, log and go on otherwise).
/// Binding happens in <see cref="StartAsync"/>, so a bad endpoint stops the host's start with a clear message.
/// </summary>
internal sealed partial class LineServer : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan ExhaustedBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan AbortWait = TimeSpan.FromSeconds(1);

    private readonly ReporterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LineServer> _logger;
    private readonly ConnectionHandler _handler;
    private readonly ISpoolWriter _spool;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationToken _abortToken; // taken once: a late direct reply may come after DisposeAsync
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<BoundListener> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly List<DirectAcceptor> _direct = [];
    private int _active;
    private int _busy;
    private long _refused;
    private int _stopped;

    public LineServer(ReporterOptions options, ISpoolWriter spool, TimeProvider time, ILogger<LineServer> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _spool = spool;
        _abortToken = _abort.Token;
        _handler = new ConnectionHandler(options.Listener, new RequestProcessor(spool, logger), time, logger);
    }

    /// <summary>The bound TCP endpoint once started (the real port when configured with port 0).</summary>
    public IPEndPoint? TcpEndPoint { get; private set; }

    /// <summary>The TCP listening socket once started (tests shrink its send buffer, which accepted connections inherit).</summary>
    internal Socket? TcpSocket { get; private set; }

    /// <summary>How long in-flight connections may take to finish once stopping starts; then they are aborted.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Connections being served right now.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_options.Tcp.Length > 0)
            {
                var tcp = ListenerBinding.BindTcp(_options.Tcp, _options.Listener, _logger);
                _listeners.Add(tcp);
                TcpEndPoint = (IPEndPoint?)tcp.Socket.LocalEndPoint;
                TcpSocket = tcp.Socket;
            }

            if (_options.UnixSocket.Length > 0)
            {
                _listeners.Add(ListenerBinding.BindUnix(_options.UnixSocket, _options.Listener, _logger));
            }
        }
        catch
        {
            CloseListeners();
            throw;
        }

        foreach (var listener in _listeners)
        {
            if (_options.Listener.Direct && DirectAcceptor.IsSupported)
            {
                var direct = new DirectAcceptor(this, listener, _spool, _options.Listener, _handler.MaxRequestBytes, _logger);
                _acceptLoops.Add(direct.Start());
                _direct.Add(direct);
            }
            else
            {
                _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None));
            }

            _logger.ListenerStarted(listener.Name);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var direct in _direct)
        {
            direct.Stop();
        }

        CloseListeners();
        await Task.WhenAll(_acceptLoops);
        if (Volatile.Read(ref _active) == 0)
        {
            _drained.TrySetResult();
        }

        try
        {
            await _drained.Task.WaitAsync(ShutdownGrace, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            _logger.ShutdownGraceExpired(Volatile.Read(ref _active), ShutdownGrace);
            await _abort.CancelAsync();
            try
            {
                // Aborted connections close at once; wait for that so no socket outlives the stop.
                await _drained.Task.WaitAsync(AbortWait, _time, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // Nothing more to do; the process is going away.
            }
        }

        foreach (var listener in _listeners)
        {
            ListenerBinding.RemoveUnixSocket(listener, _logger);
            _logger.ListenerStopped(listener.Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
        _abort.Dispose();
    }

    private void CloseListeners()
    {
        foreach (var listener in _listeners)
        {
            listener.Socket.Dispose();
        }
    }
}
