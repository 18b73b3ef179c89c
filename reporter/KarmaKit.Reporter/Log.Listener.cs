using System.Net.Sockets;
using KarmaKit.Protocol.Lines;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter;

/// <summary>Listener messages, event ids 1000–1999. Per-request messages are Debug or Trace only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "ListenerStarted", Level = LogLevel.Information,
        Message = "Answering readsocket requests on {Endpoint}")]
    public static partial void ListenerStarted(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1001, EventName = "ListenerStopped", Level = LogLevel.Information,
        Message = "Stopped answering readsocket requests on {Endpoint}")]
    public static partial void ListenerStopped(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1002, EventName = "NonLoopbackListener", Level = LogLevel.Warning,
        Message = "Reporter:Tcp {Endpoint} is not a loopback address and Reporter:Listener:AllowNonLoopback is set: anyone who can reach it can report")]
    public static partial void NonLoopbackListener(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1003, EventName = "StaleSocketRemoved", Level = LogLevel.Information,
        Message = "Removed stale unix socket {Path} (nobody was listening on it)")]
    public static partial void StaleSocketRemoved(this ILogger logger, string path);

    [LoggerMessage(EventId = 1004, EventName = "AcceptFailed", Level = LogLevel.Warning,
        Message = "Accept on {Endpoint} failed ({SocketError}); continuing")]
    public static partial void AcceptFailed(this ILogger logger, string endpoint, SocketError socketError, Exception exception);

    [LoggerMessage(EventId = 1005, EventName = "AcceptResourcesExhausted", Level = LogLevel.Warning,
        Message = "Accept on {Endpoint} failed ({SocketError}): out of descriptors or buffers; backing off {Delay}")]
    public static partial void AcceptResourcesExhausted(this ILogger logger, string endpoint, SocketError socketError, TimeSpan delay);

    [LoggerMessage(EventId = 1006, EventName = "ConnectionLimitReached", Level = LogLevel.Warning,
        Message = "{MaxConnections} connections open (Reporter:Listener:MaxConnections); answering new ones 'error busy' until load drops")]
    public static partial void ConnectionLimitReached(this ILogger logger, int maxConnections);

    [LoggerMessage(EventId = 1007, EventName = "ConnectionLimitCleared", Level = LogLevel.Information,
        Message = "Connections back under the limit; {Refused} were answered 'error busy' in total")]
    public static partial void ConnectionLimitCleared(this ILogger logger, long refused);

    [LoggerMessage(EventId = 1008, EventName = "RequestRefused", Level = LogLevel.Debug,
        Message = "Request refused: {Status}")]
    public static partial void RequestRefused(this ILogger logger, FrameStatus status);

    [LoggerMessage(EventId = 1009, EventName = "RequestTimedOut", Level = LogLevel.Debug,
        Message = "No complete request within {Timeout} ({Bytes} bytes received); closing")]
    public static partial void RequestTimedOut(this ILogger logger, TimeSpan timeout, int bytes);

    [LoggerMessage(EventId = 1010, EventName = "RequestServed", Level = LogLevel.Trace,
        Message = "Request of {Lines} lines answered, {Spooled} spooled")]
    public static partial void RequestServed(this ILogger logger, int lines, int spooled);

    [LoggerMessage(EventId = 1011, EventName = "SpoolRefused", Level = LogLevel.Debug,
        Message = "Spool refused {Entries} reports: {Status}")]
    public static partial void SpoolRefused(this ILogger logger, int entries, AppendStatus status);

    [LoggerMessage(EventId = 1012, EventName = "SpoolAppendFailed", Level = LogLevel.Error,
        Message = "Spool append of {Entries} reports threw; answering 'error unavailable'")]
    public static partial void SpoolAppendFailed(this ILogger logger, int entries, Exception exception);

    [LoggerMessage(EventId = 1013, EventName = "ConnectionFailed", Level = LogLevel.Debug,
        Message = "Connection ended by a socket error ({SocketError})")]
    public static partial void ConnectionFailed(this ILogger logger, SocketError socketError);

    [LoggerMessage(EventId = 1014, EventName = "ConnectionCrashed", Level = LogLevel.Error,
        Message = "Unexpected error while serving a connection; it was closed")]
    public static partial void ConnectionCrashed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1015, EventName = "ShutdownGraceExpired", Level = LogLevel.Warning,
        Message = "{Count} connections still open after the {Grace} shutdown grace; aborting them")]
    public static partial void ShutdownGraceExpired(this ILogger logger, int count, TimeSpan grace);

    [LoggerMessage(EventId = 1016, EventName = "UnixSocketPermissions", Level = LogLevel.Information,
        Message = "Unix socket {Path} has mode {Mode} and group {Group}")]
    public static partial void UnixSocketPermissions(this ILogger logger, string path, string mode, string group);

    [LoggerMessage(EventId = 1017, EventName = "UnixSocketRemoveFailed", Level = LogLevel.Warning,
        Message = "Could not remove unix socket {Path} on stop")]
    public static partial void UnixSocketRemoveFailed(this ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 1018, EventName = "AcceptLoopCrashed", Level = LogLevel.Error,
        Message = "Unexpected error accepting on {Endpoint}; continuing after a pause")]
    public static partial void AcceptLoopCrashed(this ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 1019, EventName = "DirectAcceptFailed", Level = LogLevel.Warning,
        Message = "Accept on {Endpoint} failed (errno {Errno}: {Error}); continuing")]
    public static partial void DirectAcceptFailed(this ILogger logger, string endpoint, int errno, string error);

    [LoggerMessage(EventId = 1020, EventName = "DirectAcceptExhausted", Level = LogLevel.Warning,
        Message = "Accept on {Endpoint} failed (errno {Errno}: {Error}): out of descriptors or buffers; backing off {Delay}")]
    public static partial void DirectAcceptExhausted(this ILogger logger, string endpoint, int errno, string error, TimeSpan delay);

    [LoggerMessage(EventId = 1021, EventName = "DirectConnectionFailed", Level = LogLevel.Debug,
        Message = "Connection ended by a socket error (errno {Errno})")]
    public static partial void DirectConnectionFailed(this ILogger logger, int errno);

    [LoggerMessage(EventId = 1022, EventName = "ReplyContinued", Level = LogLevel.Debug,
        Message = "Reply of {Bytes} bytes did not fit the send buffer ({Sent} sent); finishing it asynchronously")]
    public static partial void ReplyContinued(this ILogger logger, int bytes, int sent);
}
