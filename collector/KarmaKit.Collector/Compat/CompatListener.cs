using System.Net;
using System.Net.Sockets;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Collector.Compat;

/// <summary>
/// The seed's raw wire (<c>Collector:Compat:Tcp</c>): one accept loop; a connection from a source that is not in
/// <c>Collector:Compat:Sources</c> is closed at once without reading a byte; over <c>MaxConnections</c> the caller gets
/// <c>error busy</c>; every other connection is served by <see cref="CompatConnection"/>. Binds in
/// <see cref="StartAsync"/>, so a bad or busy endpoint stops the collector's start with one clear line.
/// </summary>
internal sealed class CompatListener : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan ExhaustedBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly byte[] BusyReply = LineReplies.Busy.ToArray();

    private readonly CompatOptions _options;
    private readonly SourceMap _sources;
    private readonly CompatConnection _connection;
    private readonly RefusedSources _refused;
    private readonly CollectorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _active;
    private int _busy;
    private int _stopped;

    public CompatListener(CollectorOptions options, KarmaLogService log, CollectorMetrics metrics, TimeProvider time, ILogger<CompatListener> logger)
    {
        _options = options.Compat;
        _sources = SourceMap.Parse(_options.Sources, []);
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _refused = new RefusedSources(time, logger);
        _connection = new CompatConnection(_options, log, metrics, time, logger);
    }

    /// <summary>The bound endpoint once started (the real port when configured with port 0).</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public int ActiveConnections => Volatile.Read(ref _active);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!CompatOptionsValidator.TryParseEndPoint(_options.Tcp, out var endPoint))
        {
            throw new InvalidOperationException($"Collector:Compat:Tcp '{_options.Tcp}' is not IP:PORT");
        }

        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = true; // [::] also takes IPv4 clients, as ::ffff:a.b.c.d (the source map handles both)
            }

            socket.Bind(endPoint);
            LineSockets.CorkReplies(socket);
            socket.Listen(_options.Backlog);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on Collector:Compat:Tcp {endPoint}: {ex.Message}", ex);
        }

        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _logger.CompatListening(EndPoint, _sources.Count, string.Join(", ", _sources.Reporters));
        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            _logger.CompatUnauthenticated(EndPoint);
        }

        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _socket?.Dispose();
        await _acceptLoop;
        if (Volatile.Read(ref _active) == 0)
        {
            _drained.TrySetResult();
        }

        try
        {
            // Connections finish within their own timeout; the log writer is still open until this returns.
            await _drained.Task.WaitAsync(_options.Timeout, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await _abort.CancelAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
        _abort.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(token);
            }
            catch (Exception ex) when (token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                _logger.CompatAcceptFailed(ex, ex.SocketErrorCode.ToString());
                await PauseAsync(token);
                continue;
            }
            catch (Exception ex)
            {
                _logger.CompatAcceptFailed(ex, ex.Message);
                await PauseAsync(token);
                continue;
            }

            Dispatch(client);
        }
    }

    private void Dispatch(Socket client)
    {
        IPAddress source;
        string? reporter;
        try
        {
            source = ((IPEndPoint)client.RemoteEndPoint!).Address;
            source = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
            reporter = _sources.Find(source);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            client.Dispose(); // gone before we looked
            return;
        }

        if (reporter is null)
        {
            // Not a byte is read from a stranger: close at once.
            client.Dispose();
            _metrics.CompatSourceRefused();
            _refused.Report(source);
            return;
        }

        var active = Interlocked.Increment(ref _active);
        if (active > _options.MaxConnections)
        {
            Release();
            _metrics.CompatBusy();
            if (Interlocked.Exchange(ref _busy, 1) == 0)
            {
                _logger.CompatBusy(_options.MaxConnections);
            }

            LineSockets.SendAndClose(client, BusyReply);
            return;
        }

        if (active <= _options.MaxConnections / 2)
        {
            Volatile.Write(ref _busy, 0);
        }

        _ = ServeAsync(client, source, reporter);
    }

    private async Task ServeAsync(Socket client, IPAddress source, string reporter)
    {
        try
        {
            await _connection.ServeAsync(client, source, reporter, _abort.Token);
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _active) == 0 && _stopping.IsCancellationRequested)
        {
            _drained.TrySetResult();
        }
    }

    private async Task PauseAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(ExhaustedBackoff, _time, token);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
