using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.State;

/// <summary>
/// The subject state saved in <c>Collector:Data/state.snapshot</c>, so a restart replays only the log after it.
/// Written to <c>.state.snapshot.tmp</c>, fsynced, renamed over the old one, the directory fsynced. Little-endian:
/// <code>
/// offset size
///  0      8  magic "KKSTATE\n"
///  8      4  format version (3)
/// 12      4  entry size (64: the raw layout of SubjectEntry)
/// 16      8  lines applied in total
/// 24      8  position offset (-1: no position, nothing applied)
/// 32      4  position last line length
/// 36     32  position head hash (SHA-256 of the file's first line)
/// 68     32  position last line hash
/// 100     4  reporter names N, then N x (u16 length, ASCII)
///         4  reasons M, then M x (u16 length, UTF-8)
///         4  subjects S, then S x 64 bytes of SubjectEntry
///         3 x overflow size class (3, 7, 15 slots): 4 blocks B, then B x slots x u64
///         4  operator entries K, then K x (u16 length, UTF-8 karma.log line) (version 2 on; absent in version 1)
///         8  batch-id window, ticks (0: the batch ids were not kept) (version 3 on)
///         4  batch reporter names R, then R x (u16 length, ASCII)
///         4  batch ids N, then N x (i32 reporter, u8 length, ASCII id, i64 received ticks, i32 reports)
///        32  SHA-256 of every byte before it
/// </code>
/// </summary>
internal static class StateSnapshot
{
    public const string FileName = "state.snapshot";
    /// <summary>
    /// The version written and read. Older ones are set aside and the whole log replayed: version 1 lacks the operator
    /// entries (its position may lie past operator lines it does not carry), version 2 the batch ids of the window.
    /// </summary>
    public const int Version = 3;

    private static ReadOnlySpan<byte> Magic => "KKSTATE\n"u8;

    public static string PathIn(string data) => Path.Combine(data, FileName);

    /// <summary>Writes the image atomically (<see cref="AtomicFile"/>: temp file, fsync, rename, directory fsync); returns its size in bytes.</summary>
    public static long Write(string path, StateImage image) =>
        AtomicFile.Write(path, unbuffered =>
        {
            var file = new BufferedStream(unbuffered, 1 << 16); // flushed below, not disposed: AtomicFile owns the file
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var output = new HashingWriter(file, hash);
            Span<byte> header = stackalloc byte[100];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], SubjectEntry.Size);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], image.Lines);
            BinaryPrimitives.WriteInt64LittleEndian(header[24..], image.Position?.Offset ?? -1);
            BinaryPrimitives.WriteInt32LittleEndian(header[32..], image.Position?.LastLineLength ?? 0);
            image.Position?.Head.CopyTo(header[36..]);
            image.Position?.LastLine.CopyTo(header[68..]);
            output.Write(header);
            WriteTexts(output, image.Reporters);
            WriteTexts(output, image.Reasons);
            output.WriteInt(image.Count);
            foreach (var chunk in image.Entries)
            {
                output.Write(MemoryMarshal.AsBytes(chunk.AsSpan()));
            }

            for (var c = 0; c < image.Pools.Length; c++)
            {
                output.WriteInt(image.PoolBlocks[c]);
                foreach (var chunk in image.Pools[c])
                {
                    output.Write(MemoryMarshal.AsBytes(chunk.AsSpan()));
                }
            }

            WriteTexts(output, image.Operator);
            WriteBatchIds(output, image);
            file.Write(hash.GetHashAndReset());
            file.Flush();
        });

    /// <summary>Reads a snapshot; null with <paramref name="problem"/> when it is missing, of another version or corrupt.</summary>
    public static StateImage? TryRead(string path, out string problem)
    {
        if (!File.Exists(path))
        {
            problem = "no snapshot";
            return null;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var input = new HashingReader(file, hash);
            return Read(input, file, hash, out problem);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or UnauthorizedAccessException or InvalidDataException or OutOfMemoryException)
        {
            problem = $"unreadable ({ex.Message})";
            return null;
        }
    }

    private static StateImage? Read(HashingReader input, FileStream file, IncrementalHash hash, out string problem)
    {
        Span<byte> header = stackalloc byte[100];
        input.Read(header);
        if (!header[..8].SequenceEqual(Magic))
        {
            problem = "not a state snapshot";
            return null;
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        var entrySize = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (version != Version || entrySize != SubjectEntry.Size)
        {
            problem = $"format version {version} (entry size {entrySize}), this collector reads {Version} ({SubjectEntry.Size})";
            return null;
        }

        var lines = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        var offset = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        var lastLength = BinaryPrimitives.ReadInt32LittleEndian(header[32..]);
        var position = offset < 0 ? null : new LogPosition(header.Slice(36, 32).ToArray(), offset, header.Slice(68, 32).ToArray(), lastLength);
        var reporters = ReadTexts(input, file.Length);
        var reasons = ReadTexts(input, file.Length);
        var count = input.ReadCount(file.Length, SubjectEntry.Size);
        var entries = new SubjectEntry[(count + SubjectStateStore.EntriesPerChunk - 1) / SubjectStateStore.EntriesPerChunk][];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new SubjectEntry[Math.Min(SubjectStateStore.EntriesPerChunk, count - (i * SubjectStateStore.EntriesPerChunk))];
            input.Read(MemoryMarshal.AsBytes(entries[i].AsSpan()));
        }

        var slots = SubjectStateStore.PoolSlots;
        var blocks = new int[slots.Length];
        var pools = new ulong[slots.Length][][];
        for (var c = 0; c < slots.Length; c++)
        {
            blocks[c] = input.ReadCount(file.Length, slots[c] * 8);
            var values = (long)blocks[c] * slots[c];
            pools[c] = new ulong[(values + SubjectStateStore.PoolChunkValues - 1) / SubjectStateStore.PoolChunkValues][];
            for (var i = 0; i < pools[c].Length; i++)
            {
                pools[c][i] = new ulong[Math.Min(SubjectStateStore.PoolChunkValues, values - ((long)i * SubjectStateStore.PoolChunkValues))];
                input.Read(MemoryMarshal.AsBytes(pools[c][i].AsSpan()));
            }
        }

        var operatorLines = ReadTexts(input, file.Length);
        var (window, batchIds) = ReadBatchIds(input, file.Length);
        Span<byte> expected = stackalloc byte[32];
        hash.GetHashAndReset(expected);
        Span<byte> stored = stackalloc byte[32];
        file.ReadExactly(stored);
        if (!stored.SequenceEqual(expected) || file.Position != file.Length)
        {
            problem = "checksum mismatch (corrupt or cut short)";
            return null;
        }

        if (!Consistent(entries, blocks, reporters.Length, reasons.Length))
        {
            problem = "entries refer outside the snapshot's tables";
            return null;
        }

        if (!operatorLines.All(line => Operator.OperatorLogLine.TryParse(Encoding.UTF8.GetBytes(line), out _)))
        {
            problem = "an operator entry does not parse";
            return null;
        }

        problem = "";
        return new StateImage
        {
            Position = position,
            Lines = lines,
            Reporters = reporters,
            Reasons = reasons,
            Count = count,
            Entries = entries,
            PoolBlocks = blocks,
            Pools = pools,
            Operator = operatorLines,
            BatchWindow = window,
            BatchIds = batchIds,
        };
    }

    private static bool Consistent(SubjectEntry[][] entries, int[] blocks, int reporters, int reasons)
    {
        var slots = SubjectStateStore.PoolSlots;
        foreach (var chunk in entries)
        {
            foreach (ref readonly var e in chunk.AsSpan())
            {
                var size = e.Overflow >>> 28;
                var block = e.Overflow & ((1 << 28) - 1);
                var overflowOk = e.Overflow == 0
                    ? e.ReporterCount <= 1
                    : size < slots.Length && block >= 1 && block <= blocks[size] && e.ReporterCount - 1 <= slots[size];
                if (!overflowOk || e.WhiteReporter > reporters || (uint)e.BlackReason > (uint)reasons || (uint)e.WhiteReason > (uint)reasons)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static void WriteBatchIds(HashingWriter output, StateImage image)
    {
        var ticks = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(ticks, image.BatchWindow.Ticks);
        output.Write(ticks);
        var reporters = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, _) in image.BatchIds)
        {
            reporters.TryAdd(key.Reporter, reporters.Count);
        }

        WriteTexts(output, [.. reporters.Keys]);
        output.WriteInt(image.BatchIds.Length);
        var entry = new byte[4 + 1 + Protocol.ProtocolLimits.MaxBatchIdLength + 8 + 4];
        foreach (var (key, batch) in image.BatchIds)
        {
            BinaryPrimitives.WriteInt32LittleEndian(entry, reporters[key.Reporter]);
            entry[4] = (byte)key.Batch.Length;
            var n = 5 + Encoding.ASCII.GetBytes(key.Batch, entry.AsSpan(5));
            BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(n), batch.Received.Ticks);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(n + 8), batch.Reports);
            output.Write(entry.AsSpan(0, n + 12));
        }
    }

    private static (TimeSpan Window, KeyValuePair<BatchKey, TakenBatch>[] Ids) ReadBatchIds(HashingReader input, long fileLength)
    {
        Span<byte> ticks = stackalloc byte[8];
        input.Read(ticks);
        var window = BinaryPrimitives.ReadInt64LittleEndian(ticks);
        var reporters = ReadTexts(input, fileLength);
        var ids = new KeyValuePair<BatchKey, TakenBatch>[input.ReadCount(fileLength, 4 + 1 + 1 + 8 + 4)];
        Span<byte> head = stackalloc byte[5];
        Span<byte> tail = stackalloc byte[12];
        var id = new byte[byte.MaxValue];
        for (var i = 0; i < ids.Length; i++)
        {
            input.Read(head);
            var reporter = BinaryPrimitives.ReadInt32LittleEndian(head);
            var batch = id.AsSpan(0, head[4]);
            input.Read(batch);
            input.Read(tail);
            var received = BinaryPrimitives.ReadInt64LittleEndian(tail);
            if (window < 0 || (uint)reporter >= (uint)reporters.Length || received is < 0 or > 3_155_378_975_999_999_999L)
            {
                throw new InvalidDataException("a batch id entry is out of range");
            }

            ids[i] = new(new BatchKey(reporters[reporter], Encoding.ASCII.GetString(batch)),
                new TakenBatch(new DateTime(received, DateTimeKind.Utc), BinaryPrimitives.ReadInt32LittleEndian(tail[8..])));
        }

        return (TimeSpan.FromTicks(window), ids);
    }

    private static void WriteTexts(HashingWriter output, string[] texts)
    {
        output.WriteInt(texts.Length);
        Span<byte> length = stackalloc byte[2];
        foreach (var text in texts)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)bytes.Length);
            output.Write(length);
            output.Write(bytes);
        }
    }

    private static string[] ReadTexts(HashingReader input, long fileLength)
    {
        var texts = new string[input.ReadCount(fileLength, 2)];
        Span<byte> length = stackalloc byte[2];
        for (var i = 0; i < texts.Length; i++)
        {
            input.Read(length);
            var bytes = new byte[BinaryPrimitives.ReadUInt16LittleEndian(length)];
            input.Read(bytes);
            texts[i] = Encoding.UTF8.GetString(bytes);
        }

        return texts;
    }

    private readonly struct HashingWriter(Stream stream, IncrementalHash hash)
    {
        public void Write(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            stream.Write(bytes);
        }

        public void WriteInt(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            Write(bytes);
        }
    }

    private readonly struct HashingReader(Stream stream, IncrementalHash hash)
    {
        public void Read(Span<byte> bytes)
        {
            stream.ReadExactly(bytes);
            hash.AppendData(bytes);
        }

        /// <summary>A count of items of at least <paramref name="itemSize"/> bytes that the file can hold.</summary>
        public int ReadCount(long fileLength, int itemSize)
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes);
            var count = BinaryPrimitives.ReadInt32LittleEndian(bytes);
            if (count < 0 || (long)count * itemSize > fileLength)
            {
                throw new InvalidDataException($"count {count} does not fit the file");
            }

            return count;
        }
    }
}
