using System.Buffers;
using System.Net.Sockets;
using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Listener;

/// <summary>
/// Serves one readsocket connection exactly as Exim makes it: read one request, reply, close.
/// The request ends at EOF (Exim's default write shutdown) or as soon as the bytes received end at a
/// line end and nothing more is pending (<c>shutdown=no</c>: Exim sends no EOF and waits for our close).
/// One deadline (<see cref="ListenerOptions.ClientTimeout"/>) covers connect to complete request, like
/// Exim's own single alarm. Nothing escapes <see cref="ServeAsync"/>.
/// </summary>
internal sealed class ConnectionHandler
{
    private const int InitialBufferBytes = 4096;
    private const int DrainBytes = 64 * 1024;
    private static readonly TimeSpan DrainTime = TimeSpan.FromMilliseconds(250);

    private readonly ListenerOptions _options;
    private readonly RequestProcessor _processor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxRequestBytes;
    private readonly byte[] _tooLong;
    private readonly byte[] _tooManyLines;

    public ConnectionHandler(ListenerOptions options, RequestProcessor processor, TimeProvider time, ILogger logger)
    {
        _options = options;
        _processor = processor;
        _time = time;
        _logger = logger;
        _maxRequestBytes = RequestFramer.MaxRequestBytes(options.MaxLineBytes, options.MaxLinesPerRequest);
        _tooLong = Replies.TooLong(options.MaxLineBytes);
        _tooManyLines = Replies.TooManyLines(options.MaxLinesPerRequest);
    }

    public async Task ServeAsync(Socket socket, CancellationToken abort)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, _maxRequestBytes));
        byte[]? reply = null;
        using var deadline = new CancellationTokenSource(_options.ClientTimeout, _time);
        using var abortRegistration = abort.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        var filled = 0;
        try
        {
            var framer = new RequestFramer(_options.MaxLineBytes, _options.MaxLinesPerRequest);
            var status = FrameStatus.NeedMore;
            var eof = false;
            try
            {
                while (true)
                {
                    var capacity = Math.Min(buffer.Length, _maxRequestBytes);
                    if (filled == capacity)
                    {
                        if (capacity == _maxRequestBytes)
                        {
                            // Only reachable with every allowed line full and more bytes pending.
                            status = FrameStatus.TooManyLines;
                            break;
                        }

                        buffer = Grow(buffer, filled);
                        capacity = Math.Min(buffer.Length, _maxRequestBytes);
                    }

                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled, capacity - filled), SocketFlags.None, deadline.Token);
                    if (read == 0)
                    {
                        eof = true;
                        status = framer.Finish(buffer.AsSpan(0, filled));
                        break;
                    }

                    filled += read;
                    status = framer.Scan(buffer.AsSpan(0, filled));
                    if (status is FrameStatus.LineTooLong or FrameStatus.TooManyLines
                        || (status == FrameStatus.AtLineEnd && socket.Available == 0))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!abort.IsCancellationRequested)
            {
                _logger.RequestTimedOut(_options.ClientTimeout, filled);
                SendAndClose(socket, Replies.Timeout);
                return;
            }

            // The request phase is over: give the reply (and any drain) a fresh budget.
            deadline.CancelAfter(_options.ClientTimeout);
            int length;
            switch (status)
            {
                case FrameStatus.AtLineEnd:
                    reply = ArrayPool<byte>.Shared.Rent(Replies.Capacity(framer.Lines));
                    length = await _processor.ProcessAsync(buffer, filled, framer.Lines, reply, abort);
                    break;
                case FrameStatus.NeedMore when eof:
                    length = Replies.Write(reply = Rent(Replies.EmptyRequest.Length), Replies.EmptyRequest);
                    break;
                default:
                    reply = status == FrameStatus.LineTooLong ? _tooLong : _tooManyLines;
                    length = reply.Length;
                    _logger.RequestRefused(status);
                    break;
            }

            await socket.SendAsync(reply.AsMemory(0, length), SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Send);
            if (!eof && status is FrameStatus.LineTooLong or FrameStatus.TooManyLines)
            {
                // We stopped reading early: unread bytes at close would make the kernel send a reset,
                // which can destroy the reply in flight. Read to the client's EOF, briefly and boundedly.
                deadline.CancelAfter(DrainTime);
                await DrainAsync(socket, buffer, deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown abort or a stuck reply/drain: just close.
        }
        catch (SocketException ex)
        {
            _logger.ConnectionFailed(ex.SocketErrorCode);
        }
        catch (Exception ex)
        {
            _logger.ConnectionCrashed(ex);
        }
        finally
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            if (reply is not null && reply != _tooLong && reply != _tooManyLines)
            {
                ArrayPool<byte>.Shared.Return(reply);
            }
        }
    }

    /// <summary>Sends a short fixed reply without waiting, then closes (the timeout reply: the client is too slow to wait for).</summary>
    private static void SendAndClose(Socket socket, ReadOnlySpan<byte> reply)
    {
        try
        {
            // A fresh or idle socket has an empty send buffer: a reply this short never blocks.
            socket.Blocking = false;
            socket.Send(reply, SocketFlags.None, out _);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The client is gone; nothing to tell it.
        }
        catch (ObjectDisposedException)
        {
            // Closed under us during shutdown.
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// Refuses a connection before reading its request (<c>error busy</c>): the reply goes out at once, then the
    /// request is read and thrown away until the client's EOF (briefly), so the close never resets the reply.
    /// </summary>
    public static async Task RefuseAsync(Socket socket, byte[] reply, TimeProvider time, CancellationToken abort)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            socket.Blocking = false;
            socket.Send(reply, SocketFlags.None, out _);
            socket.Shutdown(SocketShutdown.Send);
            using var deadline = new CancellationTokenSource(DrainTime, time);
            using var registration = abort.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
            await DrainAsync(socket, scratch, deadline.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client is gone, too slow, or we are stopping: just close.
        }
        finally
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static async ValueTask DrainAsync(Socket socket, byte[] scratch, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < DrainBytes)
        {
            var read = await socket.ReceiveAsync(scratch.AsMemory(), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return;
            }

            total += read;
        }
    }

    private byte[] Grow(byte[] buffer, int filled)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxRequestBytes));
        buffer.AsSpan(0, filled).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    private static byte[] Rent(int length) => ArrayPool<byte>.Shared.Rent(length);
}
