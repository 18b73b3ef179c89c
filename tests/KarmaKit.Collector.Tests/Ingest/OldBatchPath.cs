using System.Text.Json;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Ingest;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Collector.Tests.Ingest;

/// <summary>
/// The reference the fast parser is held to: the source-generated deserialiser over a stream of the body, then
/// <see cref="BatchValidator"/> (the collector's path before <see cref="BatchJsonParser"/>, and still its slow path).
/// </summary>
internal static class OldBatchPath
{
    public static readonly DateTime Now = new(2026, 11, 26, 18, 0, 0, DateTimeKind.Utc);

    public static readonly IngestOptions Options = new();

    /// <summary>The parsed batch, or null when the old path refuses it (malformed JSON, JSON null or validation).</summary>
    public static ParsedBatch? Parse(byte[] body)
    {
        ReportBatch? dto;
        try
        {
            dto = JsonSerializer.Deserialize(new MemoryStream(body), ProtocolJsonContext.Default.ReportBatch);
        }
        catch (JsonException)
        {
            return null;
        }

        if (dto is null || !BatchValidator.TryValidate(dto, Options, Now, out var entries, out _, out _))
        {
            return null;
        }

        return new ParsedBatch(dto.Reporter, dto.Batch, entries);
    }

    /// <summary>Field by field, with each time's kind (record equality of DateTime ignores it).</summary>
    public static void AssertSame(ParsedBatch expected, ParsedBatch actual, string why)
    {
        Assert.True(expected.Reporter == actual.Reporter, $"{why}: reporter");
        Assert.True(expected.Batch == actual.Batch, $"{why}: batch");
        Assert.True(expected.Reports.Length == actual.Reports.Length, $"{why}: {expected.Reports.Length} vs {actual.Reports.Length} reports");
        for (var i = 0; i < expected.Reports.Length; i++)
        {
            ReportEntry e = expected.Reports[i], a = actual.Reports[i];
            Assert.True(e == a && e.First.Kind == a.First.Kind && e.Last.Kind == a.Last.Kind, $"{why}: reports[{i}] {e} vs {a}");
        }
    }
}
