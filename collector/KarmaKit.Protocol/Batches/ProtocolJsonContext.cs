using System.Text.Json.Serialization;

namespace KarmaKit.Protocol.Batches;

/// <summary>Source-generated (reflection-free) JSON for the batch contract, camelCase on the wire.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    MaxDepth = 8)]
[JsonSerializable(typeof(ReportBatch))]
[JsonSerializable(typeof(BatchReport))]
[JsonSerializable(typeof(BatchAccepted))]
[JsonSerializable(typeof(BatchRefused))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
