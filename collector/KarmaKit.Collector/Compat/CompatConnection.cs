using System.Buffers;
using System.Net;
using System.Net.Sockets;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Collector.Compat;

/// <summary>
/// Serves one connection of the compatibility wire the way Exim's readsocket makes it (research/exim-readsocket.md):
/// the request is complete at EOF (Exim's default write shutdown, socat) or as soon as the bytes end at a line end
/// with nothing more pending (<c>shutdown=no</c>); then every line is answered in order and the connection closed.
/// One deadline, <c>Collector:Compat:Timeout</c>, covers the whole connection from accept to reply. Nothing escapes.
/// </summary>
internal sealed partial class CompatConnection
{

    private readonly CompatOptions _options;
    private readonly KarmaLogService _log;
    private readonly CollectorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxRequestBytes;
    private readonly byte[] _tooManyLines;

    public CompatConnection(CompatOptions options, KarmaLogService log, CollectorMetrics metrics, TimeProvider time, ILogger logger)
    {
        _options = options;
        _log = log;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _maxRequestBytes = RequestFramer.MaxRequestBytes(ProtocolLimits.MaxLineBytes, options.MaxLinesPerConnection);
        _tooManyLines = LineReplies.TooManyLines(options.MaxLinesPerConnection);
    }

    public async Task ServeAsync(Socket socket, IPAddress source, string reporter, CancellationToken abort)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_maxRequestBytes);
        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var registration = abort.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        var request = default(Request);
        try
        {
            try
            {
                request = await ReadAsync(socket, buffer, deadline.Token);
            }
            catch (OperationCanceledException) when (!abort.IsCancellationRequested)
            {
                _metrics.CompatTimeout();
                _logger.CompatRequestRefused(source, "no complete request in time");
                LineSockets.SendAndClose(socket, LineReplies.Timeout);
                return;
            }

            byte[] reply;
            int length;
            switch (request.Status)
            {
                case FrameStatus.AtLineEnd:
                    (reply, length) = await ProcessAsync(buffer.AsMemory(0, request.Filled), source, reporter, deadline.Token);
                    break;
                case FrameStatus.LineTooLong:
                    _metrics.CompatLineRefused(CompatRefusal.TooLong);
                    (reply, length) = (CompatReplies.TooLong, CompatReplies.TooLong.Length);
                    _logger.CompatRequestRefused(source, "line too long");
                    break;
                default:
                    _metrics.CompatLineRefused(CompatRefusal.TooManyLines);
                    (reply, length) = (_tooManyLines, _tooManyLines.Length);
                    _logger.CompatRequestRefused(source, "too many lines");
                    break;
            }

            await socket.SendAsync(reply.AsMemory(0, length), SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Send);
            if (!request.Eof && request.Status != FrameStatus.AtLineEnd)
            {
                // We stopped reading early: unread bytes at close would reset the connection and could destroy the
                // reply in flight. Read to the client's EOF, briefly and boundedly.
                deadline.CancelAfter(LineSockets.DrainTime);
                await LineSockets.DrainAsync(socket, buffer, deadline.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping, a stuck reply, or the client went away: just close.
        }
        catch (Exception ex)
        {
            _logger.CompatConnectionFailed(ex, source);
        }
        finally
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until the request is complete or breaks a limit; throws <see cref="OperationCanceledException"/> at the deadline.</summary>
    private async ValueTask<Request> ReadAsync(Socket socket, byte[] buffer, CancellationToken deadline)
    {
        var framer = new RequestFramer(ProtocolLimits.MaxLineBytes, _options.MaxLinesPerConnection);
        var filled = 0;
        while (true)
        {
            if (filled == _maxRequestBytes)
            {
                return new Request(filled, FrameStatus.TooManyLines, Eof: false);
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(filled, _maxRequestBytes - filled), SocketFlags.None, deadline);
            if (read == 0)
            {
                // At EOF an empty request is complete too: ProcessAsync answers it as empty.
                var final = framer.Finish(buffer.AsSpan(0, filled));
                return new Request(filled, final == FrameStatus.NeedMore ? FrameStatus.AtLineEnd : final, Eof: true);
            }

            filled += read;
            var status = framer.Scan(buffer.AsSpan(0, filled));
            if (status is FrameStatus.LineTooLong or FrameStatus.TooManyLines || (status == FrameStatus.AtLineEnd && socket.Available == 0))
            {
                return new Request(filled, status, Eof: false);
            }
        }
    }

    private readonly record struct Request(int Filled, FrameStatus Status, bool Eof);
}
