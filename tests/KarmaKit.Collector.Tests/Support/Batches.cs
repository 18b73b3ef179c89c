using System.Text.Json;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Collector.Tests.Support;

/// <summary>Batch bodies for the tests, serialised through the contract's own JSON context.</summary>
internal static class Batches
{
    public static readonly DateTime First = new(2026, 11, 26, 17, 18, 58, 123, DateTimeKind.Utc);
    public static readonly DateTime Last = new(2026, 11, 26, 17, 19, 3, 4, DateTimeKind.Utc);

    public static BatchReport Report(int i = 1, string verb = "black", string? reason = "virus Eicar", int count = 3) => new()
    {
        Verb = verb,
        Subject = $"192.0.2.{i % 250 + 1}",
        Reason = reason,
        First = First,
        Last = Last,
        Count = count,
    };

    public static ReportBatch Batch(string id, int reports = 1, string reporter = TestCollector.Reporter1) => new()
    {
        Reporter = reporter,
        Batch = id,
        Reports = [.. Enumerable.Range(1, reports).Select(i => Report(i))],
    };

    public static string Json(ReportBatch batch) => JsonSerializer.Serialize(batch, ProtocolJsonContext.Default.ReportBatch);

    public static string Json(string id, int reports = 1, string reporter = TestCollector.Reporter1) => Json(Batch(id, reports, reporter));

    public static async Task<BatchAccepted> AcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.BatchAccepted)!;
    }

    public static async Task<string> RefusalAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.BatchRefused)!.Error;
    }
}
