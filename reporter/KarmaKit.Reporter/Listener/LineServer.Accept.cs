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
        if (TryAdmit())
        {
            _ = ServeAsync(client, null);
        }
        else
        {
            Refuse(client);
        }
    }

    /// <summary>Counts a new connection in, or answers false (and counts it refused) when the cap is reached.</summary>
    internal bool TryAdmit()
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

            return false;
        }

        if (Volatile.Read(ref _busy) == 1 && active <= max / 2 && Interlocked.Exchange(ref _busy, 0) == 1)
        {
            _logger.ConnectionLimitCleared(Interlocked.Read(ref _refused));
        }

        return true;
    }

    /// <summary>Answers <c>error busy</c> at once: a caller left waiting costs Exim its whole timeout.</summary>
    internal void Refuse(Socket client) => _ = ConnectionHandler.RefuseAsync(client, BusyReply, _time, _abortToken);

    /// <summary>Serves an admitted connection on the socket path (from the start, or from where the direct path handed it over).</summary>
    internal async Task ServeAsync(Socket client, ConnectionHandler.Request? started)
    {
        try
        {
            await (started is null ? _handler.ServeAsync(client, _abortToken) : _handler.ServeAsync(client, started, _abortToken));
        }
        finally
        {
            Release();
        }
    }

    /// <summary>The direct path's rare long reply, finished on the socket path.</summary>
    internal async Task SendRestAsync(Socket client, byte[] reply, int sent, int length)
    {
        try
        {
            await _handler.FinishReplyAsync(client, reply, sent, length, _abortToken);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Counts a connection out; the last one out after stopping began ends the drain.</summary>
    internal void Release()
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
