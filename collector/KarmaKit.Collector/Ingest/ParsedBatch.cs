using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Ingest;

/// <summary>A batch that parsed and validated in full: its reporter as claimed, its id, its reports ready for the log.</summary>
internal readonly record struct ParsedBatch(string Reporter, string Batch, ReportEntry[] Reports);
