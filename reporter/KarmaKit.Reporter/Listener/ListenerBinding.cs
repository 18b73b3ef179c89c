using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KarmaKit.Protocol.Lines;
using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Listener;

/// <summary>A listening socket and what is needed to report and clean it up.</summary>
/// <param name="Name">For logs: <c>tcp 127.0.0.1:4444</c> or <c>unix /run/karmakit/reporter.sock</c>.</param>
/// <param name="UnixPath">The socket file, removed on stop if it is still ours (same inode).</param>
internal sealed record BoundListener(Socket Socket, string Name, string? UnixPath, ulong UnixInode);

/// <summary>Creates the listening sockets: TCP (loopback unless allowed) and the unix socket (stale file removed, mode and group set).</summary>
internal static class ListenerBinding
{
    public static BoundListener BindTcp(string text, ListenerOptions options, ILogger logger)
    {
        if (!IPEndPoint.TryParse(text, out var endPoint))
        {
            throw new InvalidOperationException($"Reporter:Tcp must be HOST:PORT with a literal IP address, got '{text}'");
        }

        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            if (!options.AllowNonLoopback)
            {
                throw new InvalidOperationException(
                    $"Reporter:Tcp {endPoint} is not a loopback address; set Reporter:Listener:AllowNonLoopback=true to listen on it anyway");
            }

            logger.NonLoopbackListener(endPoint.ToString());
        }

        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // .NET sets SO_REUSEADDR itself before bind on Unix, so a restart binds while our closed
            // connections sit in TIME_WAIT. Never set SocketOptionName.ReuseAddress: on Linux it adds
            // SO_REUSEPORT, which would let a second agent share the port silently.
            socket.Bind(endPoint);
            LineSockets.CorkReplies(socket);
            socket.Listen(options.Backlog);
            return new BoundListener(socket, "tcp " + socket.LocalEndPoint, null, 0);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on Reporter:Tcp {endPoint}: {ex.Message}", ex);
        }
    }

    public static BoundListener BindUnix(string path, ListenerOptions options, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Reporter:UnixSocket needs a Unix system; set it empty");
        }

        if (!ReporterOptionsValidator.TryParseMode(options.UnixSocketMode, out var mode))
        {
            throw new InvalidOperationException($"Reporter:Listener:UnixSocketMode must be an octal file mode such as 0660, got '{options.UnixSocketMode}'");
        }

        uint gid = 0;
        var group = options.UnixSocketGroup;
        if (group.Length > 0 && !UnixFile.TryResolveGroup(group, out gid))
        {
            throw new InvalidOperationException($"Reporter:Listener:UnixSocketGroup '{group}' is not a known group");
        }

        try
        {
            var directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot create the directory of Reporter:UnixSocket {path}: {ex.Message}", ex);
        }

        RemoveStale(path, logger);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var bound = false;
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            bound = true;

            // Before listen() nobody can connect, so the file never has looser permissions while in use.
            File.SetUnixFileMode(path, mode);
            if (group.Length > 0)
            {
                UnixFile.ChangeGroup(path, gid);
            }

            socket.Listen(options.Backlog);
            UnixFile.TryStat(path, out var status);
            logger.UnixSocketPermissions(path, Convert.ToString((int)status.Mode, 8).PadLeft(4, '0'), status.Gid.ToString(CultureInfo.InvariantCulture));
            return new BoundListener(socket, "unix " + path, path, status.Inode);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            socket.Dispose();
            if (bound)
            {
                TryDelete(path);
            }

            throw new IOException($"cannot listen on Reporter:UnixSocket {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Removes the socket file on stop unless another process has replaced it since.</summary>
    public static void RemoveUnixSocket(BoundListener listener, ILogger logger)
    {
        if (listener.UnixPath is not { } path)
        {
            return;
        }

        try
        {
            if (UnixFile.TryStat(path, out var status) && status.IsSocket && status.Inode == listener.UnixInode)
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.UnixSocketRemoveFailed(path, ex);
        }
    }

    /// <summary>A socket file nobody listens on is left over from a crash: remove it. Anything else stops the start.</summary>
    private static void RemoveStale(string path, ILogger logger)
    {
        if (!UnixFile.TryStat(path, out var status))
        {
            return;
        }

        if (!status.IsSocket)
        {
            throw new IOException($"Reporter:UnixSocket {path} exists and is not a socket; not touching it");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Non-blocking: a live listener with a full backlog answers EAGAIN instead of blocking us.
            probe.Blocking = false;
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new IOException($"Reporter:UnixSocket {path} is in use: another process is listening on it");
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
            {
                throw new IOException($"Reporter:UnixSocket {path} is in use: another process is listening on it (busy)");
            }
            catch (SocketException ex) when (ex.SocketErrorCode != SocketError.ConnectionRefused)
            {
                throw new IOException($"Reporter:UnixSocket {path} exists and cannot be probed: {ex.Message}");
            }
            catch (SocketException)
            {
                // ECONNREFUSED: a socket file without a listener.
            }
        }

        try
        {
            File.Delete(path);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"cannot remove the stale Reporter:UnixSocket {path}: {ex.Message}", ex);
        }

        logger.StaleSocketRemoved(path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort after a failed start.
        }
    }
}
