using KarmaKit.Collector.Ingest;

namespace KarmaKit.Collector.Tests.Ingest;

public sealed class PooledBodyTests
{
    [Fact]
    public async Task ReadAsync_LargeContentLengthTrickled_RentsNoMoreThan256KiBBeforeTheBytesCome()
    {
        var body = new RecordingStream(new byte[300_000]);

        using var sut = await PooledBody.ReadAsync(body, contentLength: 4 << 20, maxBytes: 4 << 20, CancellationToken.None);

        Assert.InRange(body.FirstReadCapacity, 1, 256 * 1024);
        Assert.Equal(300_000, sut.Span.Length); // grown as the bytes arrived
    }

    [Fact]
    public async Task ReadAsync_ContentLengthOfABatch_OneBufferOfThatSize()
    {
        var body = new RecordingStream(new byte[90_000]);

        using var sut = await PooledBody.ReadAsync(body, contentLength: 90_000, maxBytes: 4 << 20, CancellationToken.None);

        Assert.InRange(body.FirstReadCapacity, 90_001, 256 * 1024);
        Assert.Equal(90_000, sut.Span.Length);
    }

    /// <summary>A body that hands out at most 8 KiB a read and notes how much room the first read was given.</summary>
    private sealed class RecordingStream(byte[] content) : MemoryStream(content)
    {
        public int FirstReadCapacity { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (FirstReadCapacity == 0)
            {
                FirstReadCapacity = buffer.Length;
            }

            return base.ReadAsync(buffer[..Math.Min(buffer.Length, 8192)], cancellationToken);
        }
    }
}
