using System.Buffers;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// A request body read whole into an array rented from the shared pool (sized by Content-Length, up to 256 KiB before the bytes arrive),
/// so the parser makes one synchronous pass over it and a batch costs no per-read buffers. Dispose returns the array.
/// </summary>
internal sealed class PooledBody : IDisposable
{
    private const int ChunkedStart = 16 * 1024;

    // Rented before a byte has arrived: a reporter announcing a large body and trickling it must not hold more than this
    // until the bytes come (a 500-report batch is about 100 KB).
    private const int MaxUpFront = 256 * 1024;

    private byte[] _buffer;
    private int _length;

    private PooledBody(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>The bytes as a read-only stream over the pooled buffer (no copy); valid until <see cref="Dispose"/>.</summary>
    public MemoryStream AsStream() => new(_buffer, 0, _length, writable: false);

    /// <summary>
    /// Reads to the end of <paramref name="body"/>. Past <paramref name="maxBytes"/> it throws the 413
    /// <see cref="BadHttpRequestException"/> Kestrel throws for its own body limit, in case the server's limit is not set.
    /// </summary>
    public static async Task<PooledBody> ReadAsync(Stream body, long? contentLength, long maxBytes, CancellationToken cancellationToken)
    {
        var capacity = contentLength is { } length and > 0 && length <= maxBytes ? (int)Math.Min(length + 1, MaxUpFront) : ChunkedStart;
        var result = new PooledBody(capacity);
        try
        {
            while (true)
            {
                if (result._length == result._buffer.Length)
                {
                    result.Grow(maxBytes);
                }

                var read = await body.ReadAsync(result._buffer.AsMemory(result._length), cancellationToken);
                if (read == 0)
                {
                    return result;
                }

                result._length += read;
                if (result._length > maxBytes)
                {
                    throw new BadHttpRequestException("request body too large", StatusCodes.Status413PayloadTooLarge);
                }
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(long maxBytes)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, maxBytes + 1));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
