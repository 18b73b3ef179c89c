using System.Net;

namespace KarmaKit.Collector;

/// <summary>DNS server events, 6000–6999. Nothing per query above Debug.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, EventName = "DnsListening", Level = LogLevel.Information,
        Message = "DNS serving {Zones} on {Endpoint} (UDP, {Receivers} receivers, and TCP)")]
    public static partial void DnsListening(this ILogger logger, string zones, IPEndPoint endpoint, int receivers);

    [LoggerMessage(EventId = 6001, EventName = "DnsDisabled", Level = LogLevel.Information,
        Message = "DNS server disabled (Collector:Dns:Listen is empty)")]
    public static partial void DnsDisabled(this ILogger logger);

    [LoggerMessage(EventId = 6002, EventName = "DnsResponderFailed", Level = LogLevel.Error,
        Message = "DNS responder failed on a {Length}-byte query from {Transport}; no answer sent")]
    public static partial void DnsResponderFailed(this ILogger logger, Exception exception, int length, string transport);

    [LoggerMessage(EventId = 6003, EventName = "DnsUdpError", Level = LogLevel.Warning,
        Message = "DNS UDP socket error {Error}; receiving goes on")]
    public static partial void DnsUdpError(this ILogger logger, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 6004, EventName = "DnsTcpRejected", Level = LogLevel.Debug,
        Message = "DNS TCP connection from {Remote} closed at accept: {Connections} connections open (Collector:Dns:TcpMaxConnections)")]
    public static partial void DnsTcpRejected(this ILogger logger, EndPoint? remote, int connections);

    [LoggerMessage(EventId = 6005, EventName = "DnsTcpAcceptError", Level = LogLevel.Warning,
        Message = "DNS TCP accept failed with {Error}; accepting goes on")]
    public static partial void DnsTcpAcceptError(this ILogger logger, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 6006, EventName = "DnsTcpClosed", Level = LogLevel.Debug,
        Message = "DNS TCP connection from {Remote} closed after {Queries} queries: {Reason}")]
    public static partial void DnsTcpClosed(this ILogger logger, EndPoint? remote, int queries, string reason);
}
