using System.Text.Json;
using KarmaKit.Protocol.Batches;
using KarmaKit.Reporter.Shipping;

namespace KarmaKit.Reporter.Tests.Shipping;

public class BatchBuilderTests
{
    [Fact]
    public void TryAdd_IdenticalReports_CoalescedWithCountAndFirstLast()
    {
        var sut = new BatchBuilder(100, 1 << 20);
        sut.TryAdd(Records.Black(1, received: Records.Epoch));
        sut.TryAdd(Records.Black(2, "192.0.2.9", received: Records.Epoch.AddSeconds(1)));
        sut.TryAdd(Records.Black(3, received: Records.Epoch.AddSeconds(5)));
        sut.TryAdd(Records.Black(4, received: Records.Epoch.AddSeconds(2)));

        var batch = sut.Build("mx1", "s1-1-4");

        Assert.Equal(4, sut.Records.Count);
        Assert.Equal(2, batch.Reports.Count);
        var first = batch.Reports[0];
        Assert.Equal(("black", "192.0.2.1", "virus Eicar", 3), (first.Verb, first.Subject, first.Reason, first.Count));
        Assert.Equal(Records.Epoch, first.First);
        Assert.Equal(Records.Epoch.AddSeconds(5), first.Last);
        Assert.Equal(1, batch.Reports[1].Count);
        Assert.Equal(("mx1", "s1-1-4"), (batch.Reporter, batch.Batch));
    }

    [Fact]
    public void TryAdd_DifferentVerbSubjectOrReason_KeptApart()
    {
        var sut = new BatchBuilder(100, 1 << 20);
        sut.TryAdd(Records.Black(1));
        sut.TryAdd(Records.Black(2) with { Verb = KarmaKit.Protocol.Verb.White });
        sut.TryAdd(Records.Black(3, "2001:db8::1"));
        sut.TryAdd(Records.Black(4, reason: "auth-bruteforce"));
        sut.TryAdd(Records.Black(5, reason: null));
        sut.TryAdd(Records.Black(6, "::ffff:192.0.2.1")); // the same subject as 192.0.2.1

        var batch = sut.Build("mx1", "b");

        Assert.Equal(5, batch.Reports.Count);
        Assert.Equal(2, batch.Reports[0].Count);
        Assert.Equal("2001:db8::1", batch.Reports[2].Subject);
        Assert.Null(batch.Reports[4].Reason);
    }

    [Fact]
    public void TryAdd_MaxRecordsReached_RefusesMoreEvenIfCoalescable()
    {
        var sut = new BatchBuilder(3, 1 << 20);

        Assert.True(sut.TryAdd(Records.Black(1)));
        Assert.True(sut.TryAdd(Records.Black(2)));
        Assert.True(sut.TryAdd(Records.Black(3)));

        Assert.True(sut.IsFull);
        Assert.False(sut.TryAdd(Records.Black(4)));
        Assert.Equal(3, sut.Records.Count);
        Assert.Equal(3, sut.Build("mx1", "b").Reports[0].Count);
    }

    [Fact]
    public void TryAdd_BytesLimitReached_RefusesNewReportsAndStops()
    {
        var sut = new BatchBuilder(1000, 4096);
        var taken = 0;
        while (sut.TryAdd(Records.Unique(taken + 1)))
        {
            taken++;
        }

        Assert.InRange(taken, 10, 30);
        Assert.True(sut.IsFull);
        Assert.InRange(sut.EstimatedBytes, 3800, 4096);
        Assert.False(sut.TryAdd(Records.Black(1))); // even a coalescable one: records stay in order
        var json = JsonSerializer.SerializeToUtf8Bytes(sut.Build("mx1.example.org", "s1-1-20"), ProtocolJsonContext.Default.ReportBatch);
        Assert.True(json.Length <= 4096, $"{json.Length} bytes");
    }

    [Fact]
    public void TryAdd_FirstRecordLargerThanLimit_StillTaken()
    {
        var sut = new BatchBuilder(10, 1);

        Assert.True(sut.TryAdd(Records.Black(1, reason: new string('x', 200))));
        Assert.False(sut.TryAdd(Records.Black(2, "192.0.2.2")));
    }

    [Fact]
    public void EstimatedBytes_AwkwardReasons_AtLeastTheSerializedSize()
    {
        var sut = new BatchBuilder(1000, int.MaxValue);
        string[] reasons = ["plain", "quote \" backslash \\", "<html> & 'x' + `y`", "Viren: Käse ünd 日本 😀", "tab\there", new string('z', 200)];
        for (var i = 0; i < 60; i++)
        {
            sut.TryAdd(Records.Black(i + 1, i % 2 == 0 ? "2001:db8:1111:2222:3333:4444:5555:6666" : Records.SubjectOf(i), reasons[i % reasons.Length]));
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(sut.Build("mx1", new string('b', 128)), ProtocolJsonContext.Default.ReportBatch);

        Assert.InRange(sut.EstimatedBytes + "mx1".Length, json.Length, json.Length * 5 / 4);
    }

    [Fact]
    public void Build_ReceiveTimes_SerializedAsUtcIsoWithMilliseconds()
    {
        var sut = new BatchBuilder(10, 1 << 20);
        var local = new DateTime(2026, 11, 26, 17, 19, 3, 4, DateTimeKind.Utc).AddTicks(5678).ToLocalTime();
        sut.TryAdd(Records.Black(1, received: local));

        var json = JsonSerializer.Serialize(sut.Build("mx1", "b"), ProtocolJsonContext.Default.ReportBatch);

        Assert.Contains("\"first\":\"2026-11-26T17:19:03.004Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"last\":\"2026-11-26T17:19:03.004Z\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ToWireTime_UnspecifiedKind_TakenAsUtcAndTruncatedToMilliseconds()
    {
        var time = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Unspecified).AddTicks(9999);

        var wire = BatchBuilder.ToWireTime(time);

        Assert.Equal(DateTimeKind.Utc, wire.Kind);
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc), wire);
    }

    [Fact]
    public void Reset_AfterUse_StartsEmptyWithNewLimits()
    {
        var sut = new BatchBuilder(1, 1 << 20);
        sut.TryAdd(Records.Black(1));

        sut.Reset(2, 1 << 20);

        Assert.Empty(sut.Records);
        Assert.Equal(0, sut.ReportCount);
        Assert.Equal(2, sut.RemainingRecords);
    }
}
