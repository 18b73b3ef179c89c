using System.Net.Sockets;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Reporter.Listener;

/// <summary>The accept loop and the connection cap.</summary>
internal sealed partial class LineServer
{
    private static readonly byte[] BusyReply = LineReplies.Busy.ToArray();

    private async Task AcceptLoopAsync(BoundListener listener)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.Socket.AcceptAsync(token);
            }
            catch (Exception ex) when (token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Out of descriptors or kernel buffers: connections finishing will free some; do not spin.
                _logger.AcceptResourcesExhausted(listener.Name, ex.SocketErrorCode, ExhaustedBackoff);
                await PauseAsync(token);
                continue;
            }
            catch (SocketException ex)
            {
                // Transient per-connection failures (the caller gave up, ECONNABORTED...): next one.
                _logger.AcceptFailed(listener.Name, ex.SocketErrorCode, ex);
                continue;
            }
            catch (Exception ex)
            {
                _logger.AcceptLoopCrashed(listener.Name, ex);
                await PauseAsync(token);
                continue;
            }

            Dispatch(client);
        }
    }

    private void Dispatch(Socket client)
    {
        var max = _options.Listener.MaxConnections;
        var active = Interlocked.Increment(ref _active);
        if (active > max)
        {
            Release();
            Interlocked.Increment(ref _refused);
            if (Interlocked.Exchange(ref _busy, 1) == 0)
            {
                _logger.ConnectionLimitReached(max);
            }

            // Answer at once: a caller left waiting costs Exim its whole timeout.
            _ = ConnectionHandler.RefuseAsync(client, BusyReply, _time, _abort.Token);
            return;
        }

        if (Volatile.Read(ref _busy) == 1 && active <= max / 2 && Interlocked.Exchange(ref _busy, 0) == 1)
        {
            _logger.ConnectionLimitCleared(Interlocked.Read(ref _refused));
        }

        _ = ServeAsync(client);
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await _handler.ServeAsync(client, _abort.Token);
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
