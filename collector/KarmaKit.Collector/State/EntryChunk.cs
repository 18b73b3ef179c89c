using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KarmaKit.Collector.State;

/// <summary>
/// A chunk of <see cref="SubjectEntry"/> values that each fill one 64-byte cache line: a pinned byte array used from
/// its first 64-byte boundary. A managed <c>SubjectEntry[]</c> starts 16 bytes into its object, so most of its entries
/// would straddle two lines, and an update of a random subject would miss the cache twice.
/// </summary>
internal sealed class EntryChunk
{
    private const int LineSize = 64;

    private readonly byte[] _bytes;
    private readonly int _start;

    public EntryChunk(int length)
    {
        Length = length;
        _bytes = GC.AllocateArray<byte>((length * SubjectEntry.Size) + LineSize - 1, pinned: true);
        _start = (int)((LineSize - (Address(_bytes) & (LineSize - 1))) & (LineSize - 1));
    }

    public int Length { get; }

    public ref SubjectEntry this[int i] => ref Unsafe.As<byte, SubjectEntry>(ref _bytes[_start + (i * SubjectEntry.Size)]);

    public Span<SubjectEntry> AsSpan() => MemoryMarshal.Cast<byte, SubjectEntry>(_bytes.AsSpan(_start, Length * SubjectEntry.Size));

    public Span<SubjectEntry> AsSpan(int start, int length) => AsSpan().Slice(start, length);

    private static unsafe long Address(byte[] pinned) => (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
