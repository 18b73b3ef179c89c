using System.Text.Json;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Protocol.Tests.Batches;

public sealed class ProtocolJsonContextTests
{
    [Fact]
    public void Serialize_Batch_MatchesTheDesignContract()
    {
        var sut = new ReportBatch
        {
            Reporter = "mx1.example.org",
            Batch = "b1",
            Reports =
            [
                new BatchReport
                {
                    Verb = "black",
                    Subject = "192.0.2.1",
                    Reason = "virus Eicar",
                    First = new DateTime(2026, 11, 26, 17, 18, 58, 123, DateTimeKind.Utc),
                    Last = new DateTime(2026, 11, 26, 17, 19, 3, 4, DateTimeKind.Utc),
                    Count = 3,
                },
            ],
        };

        var json = JsonSerializer.Serialize(sut, ProtocolJsonContext.Default.ReportBatch);

        Assert.Equal(
            """{"reporter":"mx1.example.org","batch":"b1","reports":[{"verb":"black","subject":"192.0.2.1","reason":"virus Eicar","first":"2026-11-26T17:18:58.123Z","last":"2026-11-26T17:19:03.004Z","count":3}]}""",
            json);
        var back = JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.ReportBatch)!;
        Assert.Equal(sut.Reports[0], back.Reports[0]);
    }

    [Fact]
    public void Serialize_ReportWithoutReason_OmitsIt()
    {
        var json = JsonSerializer.Serialize(
            new BatchReport { Verb = "white", Subject = "::1", First = default, Last = default, Count = 1 },
            ProtocolJsonContext.Default.BatchReport);

        Assert.DoesNotContain("reason", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_MissingRequiredMember_Throws()
    {
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize("""{"reporter":"r","reports":[]}""", ProtocolJsonContext.Default.ReportBatch));
    }
}
