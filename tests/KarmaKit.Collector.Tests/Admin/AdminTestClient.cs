using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Tests.Dns;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KarmaKit.Collector.Tests.Admin;

/// <summary>The admin endpoints and the DNS answers of an in-process <see cref="TestCollector"/>.</summary>
internal static class AdminTestClient
{
    public const string Token = "admin-token-0123456789";

    public const string Setting = $"--Collector:Admin:Token={Token}";

    public static async Task<HttpResponseMessage> SendAsync(TestCollector collector, HttpMethod method, string path, object? body = null, string? token = Token)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await collector.Client.SendAsync(request);
    }

    /// <summary>POSTs a change and returns its JSON answer, failing on anything but 200.</summary>
    public static async Task<JsonElement> ChangeAsync(TestCollector collector, string verb, object body)
    {
        using var response = await SendAsync(collector, HttpMethod.Post, $"admin/{verb}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetAsync(TestCollector collector, string path)
    {
        using var response = await SendAsync(collector, HttpMethod.Get, path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The A record for <paramref name="name"/> from the collector's DNS server, or null for NXDOMAIN.</summary>
    public static async Task<string?> AAsync(TestCollector collector, string name)
    {
        using var udp = new UdpClient();
        udp.Connect(collector.Services.GetRequiredService<DnsServerService>().LocalEndPoint!);
        var id = (ushort)Random.Shared.Next(1, 65535);
        await udp.SendAsync(DnsPackets.Query(name, 1, id));
        while (true)
        {
            var answer = DnsAnswer.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);
            if (answer.Id == id)
            {
                return answer.Rcode == 3 ? null : Assert.Single(answer.Answers).Text;
            }
        }
    }
}
