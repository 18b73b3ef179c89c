using System.Text;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Export;

/// <summary>
/// UTF-8 bytes into a stream through one reused buffer, so a million-entry zone file is written without a string per
/// entry: callers take a span (<see cref="GetSpan"/>), fill it, and <see cref="Advance"/>.
/// </summary>
internal sealed class ZoneTextWriter(Stream stream)
{
    /// <summary>Writes the file at <paramref name="path"/> atomically (<see cref="AtomicFile"/>) through a writer; returns its bytes.</summary>
    public static long WriteFile(string path, Action<ZoneTextWriter> content) =>
        AtomicFile.Write(path, stream =>
        {
            var writer = new ZoneTextWriter(stream);
            content(writer);
            writer.Flush();
        });

    /// <summary>The most a caller may ask for at once: one line of any export.</summary>
    public const int MaxSpan = 4096;

    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;

    /// <summary>At least <paramref name="size"/> (at most <see cref="MaxSpan"/>) free bytes.</summary>
    public Span<byte> GetSpan(int size = MaxSpan)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSpan);
        if (_buffer.Length - _used < size)
        {
            Flush();
        }

        return _buffer.AsSpan(_used);
    }

    public void Advance(int count)
    {
        _used += count;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var chunk = bytes[..Math.Min(bytes.Length, MaxSpan)];
            chunk.CopyTo(GetSpan(chunk.Length));
            Advance(chunk.Length);
            bytes = bytes[chunk.Length..];
        }
    }

    /// <summary>Writes text as UTF-8 (headers and other once-per-file lines).</summary>
    public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        Advance(1);
    }

    public void WriteDecimal(uint value)
    {
        value.TryFormat(GetSpan(10), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        Advance(written);
    }

    /// <summary>Hands the buffered bytes to the stream.</summary>
    public void Flush()
    {
        stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}
