using System.Net;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Admin;

/// <summary>Who may use <c>/admin/</c>, and what its answers hold, on a real in-process collector over HTTP.</summary>
public class AdminEndpointsTests : TempDirectory
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "admin/lookup/192.0.2.1" },
        { "GET", "admin/stats" },
        { "POST", "admin/allow" },
        { "POST", "admin/unallow" },
        { "POST", "admin/delist" },
    };

    private static readonly object AllowBody = new { address = "192.0.2.0/24", reason = "customer relay" };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Send_NoToken_401AndNothingWritten(string method, string path)
    {
        await using var collector = await TestCollector.StartAsync(Dir, AdminTestClient.Setting);

        using var response = await AdminTestClient.SendAsync(collector, new HttpMethod(method), path, method == "POST" ? AllowBody : null, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(collector.LogLines());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Send_WrongToken_403AndNothingWritten(string method, string path)
    {
        await using var collector = await TestCollector.StartAsync(Dir, AdminTestClient.Setting);

        using var response = await AdminTestClient.SendAsync(collector, new HttpMethod(method), path, method == "POST" ? AllowBody : null, token: TestCollector.Token1);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(collector.LogLines());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Send_NoAdminTokenConfigured_404AndNothingWritten(string method, string path)
    {
        await using var collector = await TestCollector.StartAsync(Dir);

        using var response = await AdminTestClient.SendAsync(collector, new HttpMethod(method), path, method == "POST" ? AllowBody : null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(collector.LogLines());
    }

    [Fact]
    public async Task Allow_HashedTokenConfigured_Accepted()
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(AdminTestClient.Token)));
        await using var collector = await TestCollector.StartAsync(Dir, $"--Collector:Admin:Token=sha256:{hash}");

        var answer = await AdminTestClient.ChangeAsync(collector, "allow", AllowBody);

        Assert.Equal("192.0.2.0/24", answer.GetProperty("done").GetProperty("network").GetString());
        Assert.Matches(@"^\S+Z operator:admin allow 192\.0\.2\.0/24 reason=""customer relay""$", Assert.Single(collector.LogLines()));
    }

    [Theory]
    [InlineData("allow", """{"address":"192.0.2.0/24"}""", "allow needs a reason")]
    [InlineData("allow", """{"address":"0.0.0.0/4","reason":"x"}""", "too wide")]
    [InlineData("allow", """{"address":"203.0.113.7/8","reason":"x"}""", "host bits")]
    [InlineData("allow", """{"address":"::/64","reason":"x"}""", "IPv4-mapped")]
    [InlineData("allow", """{"address":"192.0.2.0/24","reason":"x","for":"soon"}""", "for must be a duration")]
    [InlineData("allow", """{"address":"192.0.2.0/24","reason":"x","operator":"a b"}""", "operator must be")]
    [InlineData("delist", """{"address":"192.0.2.0/24"}""", "one address")]
    [InlineData("delist", """{"address":"mail.example.org"}""", "address must be")]
    [InlineData("delist", """not json""", "not JSON")]
    [InlineData("unallow", """{"address":"192.0.2.0/24"}""", "no allow entry")]
    public async Task Change_Refused_ErrorAndNothingWritten(string verb, string body, string error)
    {
        await using var collector = await TestCollector.StartAsync(Dir, AdminTestClient.Setting);

        using var response = await AdminTestClient.SendAsync(collector, HttpMethod.Post, $"admin/{verb}", body);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.StatusCode.ToString());
        Assert.Contains(error, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(collector.LogLines());
    }

    [Fact]
    public async Task Lookup_Admin_NamesReporters_PublicDoesNot()
    {
        await using var collector = await TestCollector.StartAsync(Dir, AdminTestClient.Setting);
        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json("b-1")));

        var admin = await AdminTestClient.GetAsync(collector, "admin/lookup/192.0.2.2"); // Batches' first subject
        var pub = await collector.Client.GetStringAsync("lookup/192.0.2.2");

        var reporter = Assert.Single(admin.GetProperty("reporters").EnumerateArray());
        Assert.Equal(TestCollector.Reporter1, reporter.GetProperty("name").GetString());
        Assert.True(admin.GetProperty("block").GetProperty("listed").GetBoolean());
        Assert.True(admin.GetProperty("block").TryGetProperty("until", out _));
        Assert.Equal("2026-11-26T17:18:58Z", admin.GetProperty("firstSeen").GetString());
        Assert.DoesNotContain(TestCollector.Reporter1, pub, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_Public_SaysAllowedByOperatorWithoutNames()
    {
        await using var collector = await TestCollector.StartAsync(Dir, AdminTestClient.Setting);
        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json("b-1")));
        await AdminTestClient.ChangeAsync(collector, "allow", new { address = "192.0.2.0/24", reason = "customer relay", @operator = "alice" });

        var pub = await collector.Client.GetStringAsync("lookup/192.0.2.2");

        Assert.Contains("\"why\":\"allowed by operator: 192.0.2.0/24 with no end (customer relay)\"", pub, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", pub, StringComparison.Ordinal);
        Assert.DoesNotContain(TestCollector.Reporter1, pub, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_AfterReportsAndActions_Counts()
    {
        await using var collector = await TestCollector.StartAsync(Dir, AdminTestClient.Setting);
        await Batches.AcceptedAsync(await collector.PostAsync(Batches.Json("b-1", reports: 3)));
        await AdminTestClient.ChangeAsync(collector, "allow", new { address = "192.0.2.3", reason = "partner" });
        await AdminTestClient.ChangeAsync(collector, "delist", new { address = "192.0.2.4" });

        var stats = await AdminTestClient.GetAsync(collector, "admin/stats");

        Assert.Equal(1, stats.GetProperty("lists").GetProperty("block").GetProperty("entries").GetInt32()); // reported .2, .3, .4: .3 allowed, .4 delisted
        Assert.Equal(1, stats.GetProperty("lists").GetProperty("allow").GetProperty("entries").GetInt32()); // .3
        Assert.Equal(3, stats.GetProperty("subjects").GetInt32());
        Assert.Equal(3, stats.GetProperty("sinceStart").GetProperty("black").GetInt64());
        Assert.Equal(2, stats.GetProperty("sinceStart").GetProperty("operatorActions").GetInt64());
        Assert.Equal(1, stats.GetProperty("operator").GetProperty("allows").GetInt32());
        Assert.Equal(new FileInfo(collector.LogPath).Length, stats.GetProperty("log").GetProperty("bytes").GetInt64());
    }
}
