using System.Net.Sockets;

namespace KarmaKit.Protocol.Lines;

/// <summary>
/// How a readsocket server ends a connection, shared by the reporter's listener and the collector's compatibility
/// wire: a short reply sent without waiting, and the bounded drain that reads the rest of a request it stopped
/// reading early (unread bytes at close would make the kernel reset the connection and could destroy the reply).
/// </summary>
public static class LineSockets
{
    /// <summary>Longest time spent draining after the reply.</summary>
    public static readonly TimeSpan DrainTime = TimeSpan.FromMilliseconds(250);

    /// <summary>Most bytes read and thrown away while draining.</summary>
    public const int DrainBytes = 64 * 1024;

    /// <summary>Sends a short fixed reply without waiting, then closes (the client is too slow, or refused, to wait for).</summary>
    public static void SendAndClose(Socket socket, ReadOnlySpan<byte> reply)
    {
        try
        {
            // A fresh or idle socket has an empty send buffer: a reply this short never blocks.
            socket.Blocking = false;
            socket.Send(reply, SocketFlags.None, out _);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client is gone, or the socket was closed under us while stopping: nothing to tell it.
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Reads and discards up to <see cref="DrainBytes"/> until the client's EOF; the caller bounds the time.</summary>
    public static async ValueTask DrainAsync(Socket socket, byte[] scratch, CancellationToken cancellationToken)
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
}
