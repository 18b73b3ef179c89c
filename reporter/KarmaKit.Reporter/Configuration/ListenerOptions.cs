namespace KarmaKit.Reporter.Configuration;

/// <summary><c>Reporter:Listener</c>: limits of the readsocket listeners.</summary>
internal sealed class ListenerOptions
{
    /// <summary>Longest request line in bytes, without its LF; longer gets <c>error too-long</c> and a close.</summary>
    public int MaxLineBytes { get; set; } = KarmaKit.Protocol.ProtocolLimits.MaxLineBytes;

    /// <summary>Most lines in one request; more gets <c>error too-many-lines</c>.</summary>
    public int MaxLinesPerRequest { get; set; } = 16;

    /// <summary>Most connections served at once; one more is answered <c>error busy</c> and closed.</summary>
    public int MaxConnections { get; set; } = 512;

    /// <summary>Time a client has from connect to a complete request; then it is cut off.</summary>
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Listen backlog; large, because a full backlog makes every Exim caller wait its whole timeout.</summary>
    public int Backlog { get; set; } = 1024;

    /// <summary>
    /// Serve on Linux with the direct path (a thread in accept4, plain recv/send on the descriptor, the reply sent by
    /// the spool's writer thread); false serves through .NET sockets only. For comparison, and as a way out.
    /// </summary>
    public bool Direct { get; set; } = true;

    /// <summary>Allow a TCP listener on a non-loopback address (logged as a warning).</summary>
    public bool AllowNonLoopback { get; set; }

    /// <summary>Unix socket file mode, octal.</summary>
    public string UnixSocketMode { get; set; } = "0660";

    /// <summary>Group owning the unix socket (name or number), so the Exim user can connect; empty keeps the default.</summary>
    public string UnixSocketGroup { get; set; } = "";
}
