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

    /// <summary>
    /// Sets TCP_CORK on a listening TCP socket (Linux; accepted connections inherit it), so a reply is held in the
    /// kernel until the shutdown that always follows it and leaves in one segment with the FIN. Without it the reply
    /// and the FIN are two segments, and over loopback each is a full trip through the receiving stack and a
    /// wake-up of the caller: about a third of the listener's CPU per call, measured. A reply not followed by a
    /// shutdown would wait at most 200 ms (the kernel's cork limit).
    /// </summary>
    public static void CorkReplies(Socket listener)
    {
        if (OperatingSystem.IsLinux() && listener.ProtocolType == ProtocolType.Tcp)
        {
            const int IpProtoTcp = 6, TcpCork = 3;
            listener.SetRawSocketOption(IpProtoTcp, TcpCork, BitConverter.GetBytes(1));
        }
    }

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
