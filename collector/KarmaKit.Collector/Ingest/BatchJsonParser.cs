using System.Buffers;
using System.Text.Json;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// The ingest hot path: reads a whole batch body with one <see cref="Utf8JsonReader"/> pass straight into validated
/// <see cref="ReportEntry"/> values, without the <see cref="ReportBatch"/> DTO graph and without a string per verb,
/// subject or repeated reason. It only ever <em>accepts</em>: a body that is fully valid, with every property once,
/// gives a <see cref="ParsedBatch"/>; anything else (malformed JSON, nulls, a duplicate or missing property, any
/// validation problem, escapes in a verb or subject) returns false, and the endpoint hands the same bytes to the
/// source-generated deserialiser and <see cref="BatchValidator"/>, which answer exactly as they always did (the 400
/// reasons with their JSON path and position, the 403 and duplicate checks before validation, the 413). So this
/// parser must never accept what that path refuses, and must give the same entries when both accept
/// (BatchJsonParserTests holds them to it).
/// </summary>
internal static partial class BatchJsonParser
{
    /// <summary>The reader options of <see cref="ProtocolJsonContext"/>: no comments, no trailing commas, depth 8.</summary>
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8 };

    /// <summary>Parses and validates <paramref name="body"/>; false means "take the slow path", never "refused".</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, IngestOptions options, DateTime now, out ParsedBatch batch)
    {
        batch = default;
        var scratch = ArrayPool<ReportEntry>.Shared.Rent(512);
        var count = 0;
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!TryParseBatch(ref reader, options, now + options.MaxClockSkew, ref scratch, ref count, out var reporter, out var id)
                || reader.Read())
            {
                return false; // something after the batch object that is not white space
            }

            batch = new ParsedBatch(reporter, id, scratch.AsSpan(0, count).ToArray());
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false; // malformed JSON, or a string that is not valid UTF-8: the slow path words the 400
        }
        finally
        {
            ArrayPool<ReportEntry>.Shared.Return(scratch, clearArray: true); // its entries hold strings: do not keep them alive in the pool
        }
    }

    private static bool TryParseBatch(ref Utf8JsonReader reader, IngestOptions options, DateTime latest, ref ReportEntry[] scratch, ref int count, out string reporter, out string id)
    {
        reporter = id = "";
        string? claimed = null, batchId = null;
        var reportsSeen = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var reasons = new ReasonCache();
        var times = new JsonTimeCache();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("reporter"u8))
            {
                if (claimed is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                claimed = reader.GetString()!;
            }
            else if (reader.ValueTextEquals("batch"u8))
            {
                if (batchId is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                batchId = reader.GetString()!;
                if (!KarmaLogFormat.IsValidBatchId(batchId))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("reports"u8))
            {
                if (reportsSeen || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                reportsSeen = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (count == options.MaxReportsPerBatch || !TryParseReport(ref reader, latest, ref reasons, ref times, out var entry))
                    {
                        return false;
                    }

                    if (count == scratch.Length)
                    {
                        Grow(ref scratch);
                    }

                    scratch[count++] = entry;
                }
            }
            else
            {
                reader.Skip(); // unknown properties are skipped, as the deserialiser does
            }
        }

        if (claimed is null || batchId is null || count == 0)
        {
            return false;
        }

        reporter = claimed;
        id = batchId;
        return true;
    }

    private static void Grow(ref ReportEntry[] scratch)
    {
        var larger = ArrayPool<ReportEntry>.Shared.Rent(scratch.Length * 2);
        scratch.CopyTo(larger, 0);
        ArrayPool<ReportEntry>.Shared.Return(scratch, clearArray: true);
        scratch = larger;
    }
}
