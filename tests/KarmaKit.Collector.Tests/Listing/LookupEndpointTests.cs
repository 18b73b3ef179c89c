using System.Net;
using System.Text.Json;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol.Batches;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Listing;

/// <summary><c>GET /lookup/{address}</c> over real HTTP: the page the TXT records point at.</summary>
public class LookupEndpointTests : TempDirectory
{
    private readonly FakeTimeProvider _time = new(new DateTime(2026, 11, 26, 17, 20, 0, DateTimeKind.Utc));

    [Fact]
    public async Task Lookup_ReportedAddress_ListedWithCodeReasonAndWhy_NoReporterNames()
    {
        await using var collector = await TestCollector.StartAsync(Dir, _time);
        await PostAsync(collector, "192.0.2.61", "black", "virus Eicar-Test-Signature");

        using var response = await collector.Client.GetAsync(new Uri("lookup/192.0.2.61", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var block = json.RootElement.GetProperty("block");
        Assert.Equal("192.0.2.61", json.RootElement.GetProperty("address").GetString());
        Assert.True(block.GetProperty("listed").GetBoolean());
        Assert.Equal("127.0.0.3", block.GetProperty("code").GetString());
        Assert.Equal("virus Eicar-Test-Signature", block.GetProperty("reason").GetString());
        Assert.StartsWith("listed 127.0.0.3", block.GetProperty("why").GetString(), StringComparison.Ordinal);
        Assert.False(json.RootElement.GetProperty("allow").GetProperty("listed").GetBoolean());
        Assert.DoesNotContain(TestCollector.Reporter1, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.0.2.62", "not reported")]
    [InlineData("10.1.2.3", "special-purpose range, never listed")]
    [InlineData("2001:db8::62", "not reported")]
    public async Task Lookup_NotListed_SaysWhy(string address, string why)
    {
        await using var collector = await TestCollector.StartAsync(Dir, _time);

        using var response = await collector.Client.GetAsync(new Uri($"lookup/{address}", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(json.RootElement.GetProperty("block").GetProperty("listed").GetBoolean());
        Assert.StartsWith(why, json.RootElement.GetProperty("block").GetProperty("why").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("300.1.2.3")]
    public async Task Lookup_NotAnAddress_400(string address)
    {
        await using var collector = await TestCollector.StartAsync(Dir, _time);

        using var response = await collector.Client.GetAsync(new Uri($"lookup/{address}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not an IPv4 or IPv6 address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task PostAsync(TestCollector collector, string subject, string verb, string reason)
    {
        var report = new BatchReport
        {
            Verb = verb,
            Subject = subject,
            Reason = reason,
            First = _time.GetUtcNow().UtcDateTime.AddMinutes(-1),
            Last = _time.GetUtcNow().UtcDateTime,
            Count = 1,
        };
        var batch = new ReportBatch { Reporter = TestCollector.Reporter1, Batch = "lookup-1", Reports = [report] };
        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json(batch)));
    }
}
