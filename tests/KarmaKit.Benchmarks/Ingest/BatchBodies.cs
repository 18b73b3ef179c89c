using System.Globalization;
using System.Text;
using System.Text.Json;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Benchmarks.Ingest;

/// <summary>
/// Pre-serialised batch bodies for one reporter, through the contract's own JSON context: a few distinct bodies
/// (different subjects in 198.18.0.0/15, the benchmarking range) whose batch id ends in a fixed-width number that
/// <see cref="Write"/> patches per post, so every post is a new batch and the client spends no time serialising.
/// </summary>
internal sealed class BatchBodies
{
    private const int SequenceDigits = 12;
    private const string Placeholder = "000000000000";

    private readonly byte[][] _templates;
    private readonly int[] _sequenceOffsets;

    public BatchBodies(string reporter, int reporterIndex, string run, int batchSize, int distinct, DateTime time)
    {
        Reporter = reporter;
        _templates = new byte[distinct][];
        _sequenceOffsets = new int[distinct];
        var idPrefix = $"{reporter}-{run}-";
        for (var k = 0; k < distinct; k++)
        {
            var reports = new BatchReport[batchSize];
            for (var i = 0; i < batchSize; i++)
            {
                var n = (((reporterIndex * distinct) + k) * batchSize) + i;
                reports[i] = new BatchReport
                {
                    Verb = (n % 10) == 0 ? "white" : "black",
                    Subject = string.Create(CultureInfo.InvariantCulture, $"198.{18 + ((n >> 16) & 1)}.{(n >> 8) & 255}.{n & 255}"),
                    Reason = (n % 3) == 0 ? null : "virus Eicar-Test-Signature",
                    First = time,
                    Last = time,
                    Count = 1 + (n % 4),
                };
            }

            var batch = new ReportBatch { Reporter = reporter, Batch = idPrefix + Placeholder, Reports = reports };
            _templates[k] = JsonSerializer.SerializeToUtf8Bytes(batch, ProtocolJsonContext.Default.ReportBatch);
            _sequenceOffsets[k] = _templates[k].AsSpan().IndexOf(Encoding.ASCII.GetBytes(idPrefix + Placeholder)) + idPrefix.Length;
        }

        MaxLength = _templates.Max(t => t.Length);
    }

    public string Reporter { get; }

    public int MaxLength { get; }

    /// <summary>Writes the body of post number <paramref name="sequence"/> into <paramref name="buffer"/>; returns its length.</summary>
    public int Write(long sequence, byte[] buffer)
    {
        var k = (int)(sequence % _templates.Length);
        var template = _templates[k];
        template.CopyTo(buffer, 0);
        var digits = buffer.AsSpan(_sequenceOffsets[k], SequenceDigits);
        for (var i = SequenceDigits - 1; i >= 0; i--, sequence /= 10)
        {
            digits[i] = (byte)('0' + (sequence % 10));
        }

        return template.Length;
    }
}
