using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using KarmaKit.Protocol.Lines;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Listener.Direct;

/// <summary>
/// The listeners' fast path on Linux: one thread per listener blocks in <c>accept4</c>, reads each new connection's
/// request with plain <c>recv</c> calls that never wait, and hands it to the spool; the spool's writer thread sends
/// the reply and closes (<see cref="DirectConnection"/>). A call costs the syscalls a C server makes and two thread
/// wake-ups, with no socket object, timer or thread-pool hop. On TCP, <c>TCP_DEFER_ACCEPT</c> makes the kernel hold
/// a connection until its first bytes arrive, so the request is almost always there when accepted (Exim writes its
/// line right after connecting); a unix socket connection is accepted at once, and its line is usually there too.
/// Whatever cannot finish without waiting (nothing sent yet, a partial line, a limit broken, a long request) is
/// handed with the bytes read so far to the socket path (<see cref="ConnectionHandler"/>), which owns every
/// timeout, drain and error reply. A connection waiting on the spool is not aborted at stop: the spool stops after
/// the listener, writes everything queued and answers it.
/// </summary>
internal sealed class DirectAcceptor
{
    private const int InitialBufferBytes = 4096;
    private const int DeferAcceptSeconds = 1;
    private static readonly TimeSpan ExhaustedBackoff = TimeSpan.FromMilliseconds(50);

    private readonly LineServer _server;
    private readonly BoundListener _listener;
    private readonly ISpoolWriter _spool;
    private readonly ListenerOptions _options;
    private readonly ILogger _logger;
    private readonly int _maxRequestBytes;
    private readonly int _fd;
    private volatile bool _stopping;

    public DirectAcceptor(LineServer server, BoundListener listener, ISpoolWriter spool, ListenerOptions options, int maxRequestBytes, ILogger logger)
    {
        _server = server;
        _listener = listener;
        _spool = spool;
        _options = options;
        _maxRequestBytes = maxRequestBytes;
        _logger = logger;
        _fd = (int)listener.Socket.Handle;
    }

    /// <summary>The calls and constants are Linux's.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Starts the accept thread; the task ends when <see cref="Stop"/> has woken it.</summary>
    public Task Start()
    {
        const int IpProtoTcp = 6, TcpDeferAccept = 9;
        if (_listener.UnixPath is null)
        {
            _listener.Socket.SetRawSocketOption(IpProtoTcp, TcpDeferAccept, BitConverter.GetBytes(DeferAcceptSeconds));
        }

        var handle = _listener.Socket.SafeHandle;
        var added = false;
        handle.DangerousAddRef(ref added); // the descriptor cannot be closed and reused under the blocked accept4
        return Task.Factory.StartNew(
            () =>
            {
                try
                {
                    Run();
                }
                finally
                {
                    handle.DangerousRelease();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Wakes the blocked <c>accept4</c> (a read shutdown of a listening socket makes it fail at once) and ends the loop.</summary>
    public void Stop()
    {
        _stopping = true;
        Libc.Shutdown(_fd, Libc.ShutRead);
    }

    private void Run()
    {
        while (!_stopping)
        {
            var fd = Libc.Accept4(_fd, 0, 0, Libc.SockNonBlock | Libc.SockCloExec);
            if (fd >= 0)
            {
                Admit(fd);
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (_stopping)
            {
                return;
            }

            switch (errno)
            {
                case Libc.EINTR:
                    break;
                case Libc.EAGAIN:
                    // Only if the descriptor was left non-blocking: wait for a connection instead of spinning.
                    WaitReadable();
                    break;
                case Libc.EMFILE or Libc.ENFILE or Libc.ENOBUFS or Libc.ENOMEM:
                    _logger.DirectAcceptExhausted(_listener.Name, errno, Marshal.GetPInvokeErrorMessage(errno), ExhaustedBackoff);
                    Thread.Sleep(ExhaustedBackoff);
                    break;
                case Libc.EINVAL or Libc.EBADF:
                    // The listening socket is gone without Stop (cannot happen while we hold its handle): do not spin.
                    _logger.DirectAcceptFailed(_listener.Name, errno, Marshal.GetPInvokeErrorMessage(errno));
                    Thread.Sleep(ExhaustedBackoff);
                    break;
                default:
                    // The caller gave up (ECONNABORTED), a firewall said no (EPERM)...: next one.
                    _logger.DirectAcceptFailed(_listener.Name, errno, Marshal.GetPInvokeErrorMessage(errno));
                    break;
            }
        }
    }

    private void Admit(int fd)
    {
        if (!_server.TryAdmit())
        {
            if (TryWrap(fd) is { } socket)
            {
                _server.Refuse(socket);
            }

            return;
        }

        try
        {
            Serve(fd);
        }
        catch (Exception ex)
        {
            // Serve closes and releases on every path it knows; this is for a bug, and the loop must live on.
            _logger.ConnectionCrashed(ex);
        }
    }

    /// <summary>Reads without waiting; a complete request goes to the spool, anything else to the socket path.</summary>
    private unsafe void Serve(int fd)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, _maxRequestBytes));
        var capacity = Math.Min(buffer.Length, _maxRequestBytes);
        var framer = new RequestFramer(_options.MaxLineBytes, _options.MaxLinesPerRequest);
        var status = FrameStatus.NeedMore;
        var filled = 0;
        while (true)
        {
            if (filled == capacity)
            {
                HandOver(fd, buffer, filled, eof: false); // the socket path grows the buffer up to the limits
                return;
            }

            nint read;
            fixed (byte* free = &buffer[filled])
            {
                read = Libc.Recv(fd, free, (nuint)(capacity - filled), 0);
            }

            if (read > 0)
            {
                filled += (int)read;
                status = framer.Scan(buffer.AsSpan(0, filled));
                if (status is FrameStatus.LineTooLong or FrameStatus.TooManyLines)
                {
                    HandOver(fd, buffer, filled, eof: false); // it replies and drains the rest
                    return;
                }

                continue; // until EOF or nothing more pending
            }

            if (read == 0)
            {
                if (framer.Finish(buffer.AsSpan(0, filled)) != FrameStatus.AtLineEnd)
                {
                    HandOver(fd, buffer, filled, eof: true); // empty, or a limit broken by the last line
                    return;
                }

                break;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
            {
                continue;
            }

            if (errno != Libc.EAGAIN)
            {
                _logger.DirectConnectionFailed(errno);
                Libc.Close(fd);
                ArrayPool<byte>.Shared.Return(buffer);
                _server.Release();
                return;
            }

            if (status != FrameStatus.AtLineEnd)
            {
                HandOver(fd, buffer, filled, eof: false); // more is coming, or nothing yet: the socket path waits
                return;
            }

            break; // at a line end with nothing pending: complete (Exim's shutdown=no sends no EOF)
        }

        new DirectConnection(fd, buffer, filled, framer.Lines, _server, _logger).Process(_spool);
    }

    private void HandOver(int fd, byte[] buffer, int filled, bool eof)
    {
        if (TryWrap(fd) is not { } socket)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _server.Release();
            return;
        }

        _ = _server.ServeAsync(socket, new ConnectionHandler.Request(buffer) { Filled = filled, Eof = eof });
    }

    /// <summary>A socket object for a descriptor the socket path takes over; null (descriptor closed) if that fails.</summary>
    private Socket? TryWrap(int fd) => Wrap(fd, _logger);

    /// <summary>A socket object owning <paramref name="fd"/>; null after closing it if that fails.</summary>
    public static Socket? Wrap(int fd, ILogger logger)
    {
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            return new Socket(handle);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            logger.ConnectionCrashed(ex);
            handle.Dispose(); // closes the descriptor once; a bare close would leave the handle's finalizer a second one
            return null;
        }
    }

    private unsafe void WaitReadable()
    {
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
        Libc.Poll(&poll, 1, 1000);
    }
}
