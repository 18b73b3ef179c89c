using System.Text.Json;
using System.Text.Json.Serialization;

namespace KarmaKit.Reporter.Spool;

/// <summary>
/// The delivery state in <c>state.json</c>, replaced atomically (temp file, fsync, rename, fsync directory)
/// by every <see cref="ISpoolQueue.BeginBatch"/> and <see cref="ISpoolQueue.CompleteBatch"/>.
/// </summary>
internal sealed record SpoolState
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>Every record up to here was delivered or dead-lettered; its segments may be gone.</summary>
    public long DeliveredThrough { get; init; }

    /// <summary>The highest sequence ever handed out when the state was written; new sequences are above it.</summary>
    public long SequenceFloor { get; init; }

    /// <summary>The batch posted but not yet answered with a final outcome.</summary>
    public InFlightBatch? Pending { get; init; }

    /// <summary>Batches the collector refused for good, written to <c>deadletter.jsonl</c>.</summary>
    public long DeadLetteredBatches { get; init; }

    /// <summary>When the collector last accepted a batch (UTC).</summary>
    public DateTime? LastDelivery { get; init; }

    public static SpoolState Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new SpoolState();
        }

        try
        {
            var state = JsonSerializer.Deserialize(bytes, SpoolJsonContext.Default.SpoolState);
            if (state is null || state.Version != CurrentVersion)
            {
                throw new JsonException($"unsupported version {state?.Version}");
            }

            return state;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException(
                $"spool state {path} is unreadable ({ex.Message}); the agent will not guess which reports were delivered", ex);
        }
    }

    public void Save(string path) =>
        SpoolFiles.ReplaceAtomically(path, JsonSerializer.SerializeToUtf8Bytes(this, SpoolJsonContext.Default.SpoolState));
}

/// <summary>One line of <c>deadletter.jsonl</c>: a batch the collector refused for good, with its body.</summary>
internal sealed record DeadLetter(DateTime Time, string Batch, long FirstSequence, long LastSequence, string Reason, string Body);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SpoolState))]
[JsonSerializable(typeof(DeadLetter))]
internal sealed partial class SpoolJsonContext : JsonSerializerContext;
