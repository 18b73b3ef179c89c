namespace KarmaKit.Collector;

/// <summary>
/// Log messages of the collector, as [LoggerMessage] extension methods in partial files per component
/// (Log.Host.cs, Log.Ingest.cs, Log.Storage.cs). Event ids are never reused:
/// 100–999 host and configuration, 4000–4999 ingest and auth (4100–4199 the compatibility listener), 5000–5999 storage
/// (karma.log, batch ids; 5100–5199 the DNSBL state rebuilt from it; 5200–5299 the listing engine, Log.Listing.cs; 5300–5399 operator actions and the admin endpoints, Log.Operator.cs), 6000–6999 DNS (Log.Dns.cs; 6100–6199 zone transfers and NOTIFY, Log.Transfer.cs), 7000–7999 zone export (Log.Export.cs).
/// Nothing per report at Information or above.
/// </summary>
internal static partial class Log;
