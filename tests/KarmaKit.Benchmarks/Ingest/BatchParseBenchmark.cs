using System.Text.Json;
using BenchmarkDotNet.Attributes;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Ingest;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Benchmarks.Ingest;

/// <summary>
/// One 500-report batch body (as the ingest load tool posts it) from bytes to validated report entries: the
/// collector's old path, the source-generated deserialiser into the DTO graph and then <see cref="BatchValidator"/>
/// (still its slow path for bodies the fast parser leaves), against <see cref="BatchJsonParser"/>'s single pass.
/// Divide by 500 for a report. Allocated bytes include the 500 entries the log writer takes (about 28 KB).
/// </summary>
[MemoryDiagnoser]
public class BatchParseBenchmark
{
    private static readonly DateTime Now = new(2026, 11, 26, 17, 20, 0, DateTimeKind.Utc);
    private readonly IngestOptions _options = new();
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var bodies = new BatchBodies("bench-1", 0, "run", batchSize: 500, distinct: 1, new DateTime(2026, 11, 26, 17, 19, 3, 4, DateTimeKind.Utc));
        var buffer = new byte[bodies.MaxLength];
        _body = buffer[..bodies.Write(1, buffer)];
    }

    [Benchmark(Baseline = true)]
    public int DeserialiseThenValidate()
    {
        var batch = JsonSerializer.Deserialize(_body, ProtocolJsonContext.Default.ReportBatch)!;
        BatchValidator.TryValidate(batch, _options, Now, out var entries, out _, out _);
        return entries.Length;
    }

    [Benchmark]
    public int FastParser()
    {
        BatchJsonParser.TryParse(_body, _options, Now, out var batch);
        return batch.Reports.Length;
    }
}
