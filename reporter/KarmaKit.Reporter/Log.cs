namespace KarmaKit.Reporter;

/// <summary>
/// Log messages of the agent, as [LoggerMessage] extension methods in partial files per component
/// (Log.Listener.cs, Log.Spool.cs, Log.Shipping.cs, Log.Host.cs). Event ids are never reused:
/// 100–999 host and configuration, 1000–1999 listener, 2000–2999 spool, 3000–3999 shipper.
/// Nothing per report at Information or above.
/// </summary>
internal static partial class Log;
