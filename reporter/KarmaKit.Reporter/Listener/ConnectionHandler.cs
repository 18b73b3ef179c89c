using System.Buffers;
using System.Net.Sockets;
using KarmaKit.Protocol.Lines;
using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Listener;

/// <summary>
/// Serves one readsocket connection exactly as Exim makes it: read one request, reply, close.
/// The request ends at EOF (Exim's default write shutdown) or as soon as the bytes received end at a
/// line end and nothing more is pending (<c>shutdown=no</c>: Exim sends no EOF and waits for our close).
/// One deadline (<see cref="ListenerOptions.ClientTimeout"/>) covers connect to complete request, like
/// Exim's own single alarm. Nothing escapes <see cref="ServeAsync(Socket, Request, CancellationToken)"/>.
/// </summary>
internal sealed class ConnectionHandler
{
    private const int InitialBufferBytes = 4096;

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
        _tooLong = LineReplies.TooLong(options.MaxLineBytes);
        _tooManyLines = LineReplies.TooManyLines(options.MaxLinesPerRequest);
    }

    /// <summary>Largest request the limits allow (the read buffer never grows past it).</summary>
    public int MaxRequestBytes => _maxRequestBytes;

    public Task ServeAsync(Socket socket, CancellationToken abort) =>
        ServeAsync(socket, new Request(ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, _maxRequestBytes))), abort);

    /// <summary>
    /// Serves a connection whose first bytes were read elsewhere (the direct path hands over what it could
    /// not finish without waiting): <paramref name="request"/> holds them in a pooled buffer this method returns.
    /// The client's time starts again here.
    /// </summary>
    public async Task ServeAsync(Socket socket, Request request, CancellationToken abort)
    {
        byte[]? reply = null;
        using var deadline = new CancellationTokenSource(_options.ClientTimeout, _time);
        using var abortRegistration = abort.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        try
        {
            try
            {
                await ReadRequestAsync(socket, request, deadline.Token);
            }
            catch (OperationCanceledException) when (!abort.IsCancellationRequested)
            {
                _logger.RequestTimedOut(_options.ClientTimeout, request.Filled);
                LineSockets.SendAndClose(socket, LineReplies.Timeout);
                return;
            }

            // The request phase is over: give the reply (and any drain) a fresh budget.
            deadline.CancelAfter(_options.ClientTimeout);
            int length;
            switch (request.Status)
            {
                case FrameStatus.AtLineEnd:
                    reply = ArrayPool<byte>.Shared.Rent(Replies.Capacity(request.Lines));
                    length = await _processor.ProcessAsync(request.Buffer, request.Filled, request.Lines, reply, abort);
                    break;
                case FrameStatus.NeedMore:
                    // Only at EOF with nothing in it: ReadRequestAsync returns nothing else as NeedMore.
                    reply = ArrayPool<byte>.Shared.Rent(LineReplies.EmptyRequest.Length);
                    length = LineReplies.Write(reply, LineReplies.EmptyRequest);
                    break;
                default:
                    reply = request.Status == FrameStatus.LineTooLong ? _tooLong : _tooManyLines;
                    length = reply.Length;
                    _logger.RequestRefused(request.Status);
                    break;
            }

            await socket.SendAsync(reply.AsMemory(0, length), SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Send);
            if (!request.Eof && request.Status is FrameStatus.LineTooLong or FrameStatus.TooManyLines)
            {
                // We stopped reading early: unread bytes at close would make the kernel send a reset,
                // which can destroy the reply in flight. Read to the client's EOF, briefly and boundedly.
                deadline.CancelAfter(LineSockets.DrainTime);
                await LineSockets.DrainAsync(socket, request.Buffer, deadline.Token);
            }
        }
        catch (Exception ex)
        {
            NoteEnd(ex);
        }
        finally
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(request.Buffer);
            if (reply is not null && reply != _tooLong && reply != _tooManyLines)
            {
                ArrayPool<byte>.Shared.Return(reply);
            }
        }
    }

    /// <summary>Sends the rest of a reply the direct path could not send whole without waiting, then closes.</summary>
    public async Task FinishReplyAsync(Socket socket, byte[] reply, int sent, int length, CancellationToken abort)
    {
        using var deadline = new CancellationTokenSource(_options.ClientTimeout, _time);
        using var abortRegistration = abort.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        try
        {
            await socket.SendAsync(reply.AsMemory(sent, length - sent), SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex)
        {
            NoteEnd(ex);
        }
        finally
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    /// <summary>A connection that ended by an exception: nothing to say for a shutdown abort or a stuck reply or drain.</summary>
    private void NoteEnd(Exception ex)
    {
        switch (ex)
        {
            case OperationCanceledException:
                break;
            case SocketException socketError:
                _logger.ConnectionFailed(socketError.SocketErrorCode);
                break;
            default:
                _logger.ConnectionCrashed(ex);
                break;
        }
    }

    /// <summary>
    /// Reads until the request is complete (EOF, or a line end with nothing more pending) or breaks a limit.
    /// Throws <see cref="OperationCanceledException"/> when the deadline passes first.
    /// </summary>
    private async ValueTask ReadRequestAsync(Socket socket, Request request, CancellationToken deadline)
    {
        var framer = new RequestFramer(_options.MaxLineBytes, _options.MaxLinesPerRequest);
        if (request.Filled > 0 || request.Eof)
        {
            // Handed over with bytes already read: frame them first; stop if they already settle the request.
            request.Status = request.Eof ? framer.Finish(request.Buffer.AsSpan(0, request.Filled)) : framer.Scan(request.Buffer.AsSpan(0, request.Filled));
            request.Lines = framer.Lines;
            if (request.Eof || request.Status is FrameStatus.LineTooLong or FrameStatus.TooManyLines
                || (request.Status == FrameStatus.AtLineEnd && socket.Available == 0))
            {
                return; // e.g. a buffer filled exactly at a line end: the same rule as after a read below
            }
        }

        while (true)
        {
            var capacity = Math.Min(request.Buffer.Length, _maxRequestBytes);
            if (request.Filled == capacity)
            {
                if (capacity == _maxRequestBytes)
                {
                    // Only reachable with every allowed line full and more bytes pending.
                    request.Status = FrameStatus.TooManyLines;
                    return;
                }

                request.Buffer = Grow(request.Buffer, request.Filled);
                capacity = Math.Min(request.Buffer.Length, _maxRequestBytes);
            }

            var read = await socket.ReceiveAsync(request.Buffer.AsMemory(request.Filled, capacity - request.Filled), SocketFlags.None, deadline);
            if (read == 0)
            {
                request.Eof = true;
                request.Status = framer.Finish(request.Buffer.AsSpan(0, request.Filled));
                request.Lines = framer.Lines;
                return;
            }

            request.Filled += read;
            request.Status = framer.Scan(request.Buffer.AsSpan(0, request.Filled));
            request.Lines = framer.Lines;
            if (request.Status is FrameStatus.LineTooLong or FrameStatus.TooManyLines
                || (request.Status == FrameStatus.AtLineEnd && socket.Available == 0))
            {
                return;
            }
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
            using var deadline = new CancellationTokenSource(LineSockets.DrainTime, time);
            using var registration = abort.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
            await LineSockets.DrainAsync(socket, scratch, deadline.Token);
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

    private byte[] Grow(byte[] buffer, int filled)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxRequestBytes));
        buffer.AsSpan(0, filled).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    /// <summary>The request being read: its pooled buffer (replaced when grown) and how far framing got.</summary>
    internal sealed class Request(byte[] buffer)
    {
        public byte[] Buffer { get; set; } = buffer;

        public int Filled { get; set; }

        public int Lines { get; set; }

        public FrameStatus Status { get; set; }

        public bool Eof { get; set; }
    }
}
