using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Benchmarks.Ingest;

/// <summary>
/// What one 500-report batch body costs to deserialise through the DTOs, streamed over Kestrel-like reads (4 KiB here,
/// so the reader suspends and resumes) versus read whole first and parsed in one synchronous pass. On the loaded
/// 2-core machine neither was reliably faster (ratios 0.4 to 1.4 between runs). The collector now reads whole and
/// parses with <c>BatchJsonParser</c> (see <see cref="BatchParseBenchmark"/>); the deserialiser is its slow path.
/// </summary>
[MemoryDiagnoser]
public class BatchJsonBenchmark
{
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var bodies = new BatchBodies("bench-1", 0, "run", batchSize: 500, distinct: 1, new DateTime(2026, 11, 26, 17, 19, 3, 4, DateTimeKind.Utc));
        _body = new byte[bodies.MaxLength];
        bodies.Write(1, _body);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Streamed_4KiBReads()
    {
        using var stream = new ChunkedStream(_body, 4096);
        var batch = await JsonSerializer.DeserializeAsync(stream, ProtocolJsonContext.Default.ReportBatch);
        return batch!.Reports.Count;
    }

    [Benchmark]
    public async Task<int> BufferedThenSync()
    {
        using var stream = new ChunkedStream(_body, 4096);
        var buffer = ArrayPool<byte>.Shared.Rent(_body.Length);
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length))) > 0)
            {
                length += read;
            }

            return JsonSerializer.Deserialize(buffer.AsSpan(0, length), ProtocolJsonContext.Default.ReportBatch)!.Reports.Count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A stream that returns at most <c>chunk</c> bytes a read, as a socket-backed request body does.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
