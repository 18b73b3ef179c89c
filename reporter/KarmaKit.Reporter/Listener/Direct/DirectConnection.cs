using System.Buffers;
using System.Runtime.InteropServices;
using KarmaKit.Protocol.Lines;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Listener.Direct;

/// <summary>
/// A complete request read by <see cref="DirectAcceptor"/>: parsed on the accept thread, replied to where the spool
/// answers (its writer thread, right after the fsync; a thread of its own for replies was measured and cost more in
/// wake-ups than it gained). The reply is one non-blocking <c>send</c> (a fresh socket's send buffer takes it whole)
/// and a close (the cork sends reply and FIN in one segment). Owns the descriptor and the pooled buffers until then.
/// </summary>
internal sealed class DirectConnection(int fd, byte[] request, int length, int lines, LineServer server, ILogger logger) : IAppendCompletion
{
    private SpoolEntry[] _entries = [];
    private LineError[] _outcomes = [];
    private int _valid;
    private int _replied;
    private AppendResult _result;

    public void Process(ISpoolWriter spool)
    {
        try
        {
            _entries = ArrayPool<SpoolEntry>.Shared.Rent(lines);
            _outcomes = ArrayPool<LineError>.Shared.Rent(lines);
            (_valid, _replied) = RequestProcessor.Parse(request.AsMemory(0, length), _outcomes, _entries);
        }
        catch (Exception ex)
        {
            Abandon(ex);
            return;
        }

        if (_valid == 0)
        {
            _result = new AppendResult(AppendStatus.Ok, 0); // blank lines only, or errors only: nothing to spool
            SendReply();
            return;
        }

        try
        {
            spool.Append(_entries.AsMemory(0, _valid), this);
        }
        catch (Exception ex)
        {
            // The contract is to answer through OnAppended; a throw is a bug there, and the caller still gets an answer.
            OnAppended(new AppendResult(AppendStatus.Unavailable, 0), ex);
        }
    }

    public void OnAppended(AppendResult result, Exception? failure)
    {
        if (failure is not null)
        {
            logger.SpoolAppendFailed(_valid, failure);
        }
        else if (result.Status != AppendStatus.Ok)
        {
            logger.SpoolRefused(_valid, result.Status);
        }

        _result = result;
        SendReply();
    }

    /// <summary>Writes the reply for the spool's answer, sends it and closes.</summary>
    private void SendReply()
    {
        byte[] reply;
        int replyLength;
        try
        {
            (reply, replyLength) = WriteReply(_result);
        }
        catch (Exception ex)
        {
            Abandon(ex);
            return;
        }

        ReturnRequestBuffers();
        var sent = Send(reply, replyLength);
        if (sent == replyLength || sent < 0)
        {
            // Sent whole (close sends the FIN: nothing was left unread, so no reset), or the client is gone.
            Close(reply);
        }
        else
        {
            SendRestLater(reply, sent, replyLength);
        }
    }

    private (byte[] Reply, int Length) WriteReply(AppendResult result)
    {
        if (_replied == 0)
        {
            var empty = ArrayPool<byte>.Shared.Rent(LineReplies.EmptyRequest.Length);
            return (empty, LineReplies.Write(empty, LineReplies.EmptyRequest));
        }

        var reply = ArrayPool<byte>.Shared.Rent(Replies.Capacity(_replied));
        var written = RequestProcessor.WriteReply(reply, _outcomes.AsSpan(0, _replied), result);
        logger.RequestServed(_replied, result.Status == AppendStatus.Ok ? _valid : 0);
        return (reply, written);
    }

    /// <summary>A bug in parsing or replying: close without an answer and count the connection out (the pooled buffers are left to the GC).</summary>
    private void Abandon(Exception ex)
    {
        logger.ConnectionCrashed(ex);
        Libc.Close(fd);
        server.Release();
    }

    /// <summary>Bytes sent, or -1 after an error (logged).</summary>
    private unsafe int Send(byte[] reply, int replyLength)
    {
        while (true)
        {
            nint sent;
            fixed (byte* bytes = reply)
            {
                sent = Libc.Send(fd, bytes, (nuint)replyLength, Libc.MsgNoSignal);
            }

            if (sent >= 0)
            {
                return (int)sent;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EAGAIN)
            {
                return 0;
            }

            if (errno != Libc.EINTR)
            {
                logger.DirectConnectionFailed(errno);
                return -1;
            }
        }
    }

    /// <summary>A reply larger than the send buffer (many lines per request): the socket path waits for room.</summary>
    private void SendRestLater(byte[] reply, int sent, int replyLength)
    {
        logger.ReplyContinued(replyLength, sent);
        if (DirectAcceptor.Wrap(fd, logger) is { } socket)
        {
            _ = server.SendRestAsync(socket, reply, sent, replyLength);
            return;
        }

        ArrayPool<byte>.Shared.Return(reply);
        server.Release();
    }

    private void Close(byte[] reply)
    {
        Libc.Close(fd);
        ArrayPool<byte>.Shared.Return(reply);
        server.Release();
    }

    private void ReturnRequestBuffers()
    {
        ArrayPool<byte>.Shared.Return(request);
        ArrayPool<SpoolEntry>.Shared.Return(_entries, clearArray: true);
        ArrayPool<LineError>.Shared.Return(_outcomes);
    }
}
