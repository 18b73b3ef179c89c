using System.Net;
using System.Text.Json;
using KarmaKit.Protocol.Batches;
using KarmaKit.Reporter.Shipping;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>One batch at a time through <see cref="BatchShipper.ShipNextAsync"/>, over the handler double.</summary>
public class BatchShipperTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ShipNextAsync_RecordsInSpool_BegunBeforePostWithIdFromSpoolAndRange()
    {
        var spool = new InMemorySpoolQueue { SpoolId = "7f3a" };
        spool.Append(Records.Range(1, 3));
        string? pendingAtPost = null;
        using var handler = new ScriptedHandler((_, _) =>
        {
            pendingAtPost = spool.PendingBatch?.Id;
            return ScriptedHandler.Accepted(3);
        });
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler), spool);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);

        var batch = Parse(Assert.Single(handler.Requests).Body);
        Assert.Equal("7f3a-1-3", batch.Batch);
        Assert.Equal("mx1.example.org", batch.Reporter);
        Assert.Equal("7f3a-1-3", pendingAtPost);
        Assert.Equal([new InFlightBatch("7f3a-1-3", 1, 3)], spool.Begun);
        Assert.Equal([(new InFlightBatch("7f3a-1-3", 1, 3), BatchOutcome.Delivered)], spool.Completed);
        Assert.Equal(3, spool.DeliveredThrough);
        Assert.Equal(1, sut.Status.Current.DeliveredBatches);
    }

    [Fact]
    public async Task ShipNextAsync_PendingBatch_ResentFirstUnchangedThenMovesOn()
    {
        var pending = new InFlightBatch("old-11-14", 11, 14);
        var spool = new InMemorySpoolQueue { DeliveredThrough = 10, PendingBatch = pending };
        spool.Append(Records.Range(11, 20));
        using var handler = new ScriptedHandler((n, _) => ScriptedHandler.Accepted(duplicate: n == 1));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler), spool);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);
        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);

        var resent = Parse(handler.Requests[0].Body);
        Assert.Equal("old-11-14", resent.Batch);
        Assert.Equal(Enumerable.Range(11, 4).Select(s => Records.SubjectOf(s)), resent.Reports.Select(r => r.Subject));
        Assert.Equal("s1-15-20", Parse(handler.Requests[1].Body).Batch);
        Assert.Equal([new InFlightBatch("s1-15-20", 15, 20)], spool.Begun); // the pending one was begun before the stop
        Assert.Equal([pending, new InFlightBatch("s1-15-20", 15, 20)], spool.Completed.Select(c => c.Batch));
    }

    [Fact]
    public async Task ShipNextAsync_400_DeadLetteredWithReasonAndTheQueueMovesOn()
    {
        var spool = new InMemorySpoolQueue();
        spool.Append(Records.Range(1, 2));
        using var handler = new ScriptedHandler((n, _) => n == 1
            ? ScriptedHandler.Json(HttpStatusCode.BadRequest, """{"error":"reports[1].reason: too long"}""")
            : ScriptedHandler.Accepted());
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(shipping: o => o.MaxBatchReports = 1), new HttpClient(handler), spool);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);
        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);

        var (batch, body, reason) = Assert.Single(spool.DeadLetters);
        Assert.Equal(new InFlightBatch("s1-1-1", 1, 1), batch);
        Assert.Equal(handler.Requests[0].Body, body);
        Assert.Equal("HTTP 400 Bad Request: reports[1].reason: too long", reason);
        Assert.Equal([BatchOutcome.DeadLettered, BatchOutcome.Delivered], spool.Completed.Select(c => c.Outcome));
        Assert.Equal(2, spool.DeliveredThrough);
        Assert.Equal(1, sut.ShipperLog.Count("BatchDeadLettered"));
        Assert.Equal(1, sut.Status.Current.DeadLetteredBatches);
    }

    [Fact]
    public async Task ShipNextAsync_413_HalvesTheRangeUntilAccepted()
    {
        var spool = new InMemorySpoolQueue();
        spool.Append(Records.Range(1, 8));
        using var handler = new ScriptedHandler((_, body) => Parse(body).Reports.Count > 2
            ? new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge)
            : ScriptedHandler.Accepted());
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(shipping: o => o.MaxBatchReports = 8), new HttpClient(handler), spool);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);
        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(["s1-1-8", "s1-1-4", "s1-1-2", "s1-3-4"], handler.Requests.Select(r => Parse(r.Body).Batch));
        Assert.Equal(["s1-1-8", "s1-1-4", "s1-1-2", "s1-3-4"], spool.Begun.Select(b => b.Id));
        Assert.Equal(["s1-1-2", "s1-3-4"], spool.Completed.Select(c => c.Batch.Id));
        Assert.Equal(2, sut.Shipper.MaxRecords);
        Assert.Equal(2, sut.ShipperLog.Count("BatchSplit"));
        Assert.Empty(spool.DeadLetters);
    }

    [Fact]
    public async Task ShipNextAsync_413OnASingleRecord_DeadLettered()
    {
        var spool = new InMemorySpoolQueue();
        spool.Append(Records.Range(1, 2));
        using var handler = new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge));
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(), new HttpClient(handler), spool);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(["s1-1-2", "s1-1-1"], handler.Requests.Select(r => Parse(r.Body).Batch));
        var (batch, _, reason) = Assert.Single(spool.DeadLetters);
        Assert.Equal(new InFlightBatch("s1-1-1", 1, 1), batch);
        Assert.StartsWith("HTTP 413", reason, StringComparison.Ordinal);
        Assert.Equal(1, spool.DeliveredThrough);
    }

    [Fact]
    public async Task ShipNextAsync_ManyDeliveriesAfterASplit_GrowsBackToTheConfiguredSize()
    {
        var spool = new InMemorySpoolQueue();
        spool.Append(Records.Range(1, 200));
        using var handler = new ScriptedHandler((n, _) => n == 1 ? new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge) : ScriptedHandler.Accepted());
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(shipping: o => o.MaxBatchReports = 4), new HttpClient(handler), spool);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(2, sut.Shipper.MaxRecords);
        for (var i = 1; i < BatchShipper.GrowAfterDeliveries; i++)
        {
            await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);
        }

        Assert.Equal(4, sut.Shipper.MaxRecords);
        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(4, Parse(handler.Requests[^1].Body).Reports.Count);
    }

    [Fact]
    public async Task ShipNextAsync_FewFreshRecords_PostedOnlyAfterMaxBatchAge()
    {
        var time = new FakeTimeProvider(Records.Epoch);
        var spool = new InMemorySpoolQueue();
        spool.Append(Records.Black(1, received: time.GetUtcNow().UtcDateTime));
        using var handler = new ScriptedHandler((_, _) => ScriptedHandler.Accepted(), time);
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(shipping: o => o.MaxBatchAge = TimeSpan.FromSeconds(5)), new HttpClient(handler), spool, time);

        var task = sut.Shipper.ShipNextAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(await handler.NextAttemptAsync(TimeSpan.FromMilliseconds(50)));
        time.Advance(TimeSpan.FromSeconds(0.1));

        await task.WaitAsync(Wait);
        Assert.Equal(Records.Epoch.AddSeconds(5), handler.Requests.Single().At);
    }

    [Fact]
    public async Task ShipNextAsync_FullBatch_PostedWithoutWaitingForAge()
    {
        var time = new FakeTimeProvider(Records.Epoch);
        var spool = new InMemorySpoolQueue();
        spool.Append(Records.Range(1, 10, s => Records.Unique(s, time.GetUtcNow().UtcDateTime)));
        using var handler = new ScriptedHandler((_, _) => ScriptedHandler.Accepted(), time);
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(shipping: o => (o.MaxBatchAge, o.MaxBatchReports) = (TimeSpan.FromMinutes(1), 4)), new HttpClient(handler), spool, time);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal("s1-1-4", Parse(handler.Requests.Single().Body).Batch);
    }

    [Fact]
    public async Task ShipNextAsync_BacklogOlderThanMaxBatchAge_PostedAtOnce()
    {
        var time = new FakeTimeProvider(Records.Epoch.AddMinutes(10));
        var spool = new InMemorySpoolQueue();
        spool.Append(Records.Range(1, 3));
        using var handler = new ScriptedHandler((_, _) => ScriptedHandler.Accepted(), time);
        using var sut = new ShippingHarness(ShippingHarness.FastOptions(shipping: o => o.MaxBatchAge = TimeSpan.FromSeconds(5)), new HttpClient(handler), spool, time);

        await sut.Shipper.ShipNextAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.Equal("s1-1-3", Parse(handler.Requests.Single().Body).Batch);
    }

    [Theory]
    [InlineData("7f3a9c")]
    [InlineData("spool_2026-11-26.1")]
    public void IdPrefix_PlainSpoolId_UsedAsIs(string spoolId)
    {
        Assert.Equal(spoolId, BatchShipper.IdPrefix(spoolId));
    }

    [Fact]
    public void IdPrefix_SpoolIdWithOddCharacters_StableDigest()
    {
        var prefix = BatchShipper.IdPrefix("with space/and slash");

        Assert.Equal(32, prefix.Length);
        Assert.True(prefix.All(char.IsAsciiHexDigitLower));
        Assert.Equal(prefix, BatchShipper.IdPrefix("with space/and slash"));
    }

    [Fact]
    public void IdPrefix_LongSpoolId_KeepsIdsWithinTheProtocolLimit()
    {
        var prefix = BatchShipper.IdPrefix(new string('a', 200));

        Assert.True($"{prefix}-{long.MaxValue}-{long.MaxValue}".Length <= KarmaKit.Protocol.ProtocolLimits.MaxBatchIdLength);
    }

    internal static ReportBatch Parse(string body) => JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.ReportBatch)!;
}
