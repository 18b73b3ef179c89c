using System.Net;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Collector.Tests.Dns;

/// <summary>The whole collector host (so the DNS wiring is what runs) on loopback port 0, serving <see cref="DnsTestZones.Listing"/>.</summary>
internal sealed class DnsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DnsTestServer(WebApplication app, IPEndPoint? endpoint)
    {
        _app = app;
        EndPoint = endpoint;
    }

    /// <summary>The DNS server's address; null when <c>Collector:Dns:Listen</c> is empty.</summary>
    public IPEndPoint? EndPoint { get; }

    public static Task<DnsTestServer> StartAsync(string directory, TimeProvider? time = null, params string[] settings) =>
        StartAsync(directory, DnsTestZones.Listing(), time, settings);

    /// <summary>The same over another listing (a large one, for transfers).</summary>
    public static async Task<DnsTestServer> StartAsync(string directory, IDnsListing listing, TimeProvider? time, params string[] settings)
    {
        string[] args =
        [
            "--Collector:Http=http://127.0.0.1:0",
            "--Collector:Dns:Listen=127.0.0.1:0",
            $"--Collector:Log={Path.Combine(directory, "log", "karma.log")}",
            $"--Collector:Data={Path.Combine(directory, "data")}",
            .. settings,
        ];
        var configuration = CollectorConfiguration.Build(args, Path.Combine(directory, "absent.json"));
        var options = CollectorConfiguration.BindAndValidate(configuration);
        var app = CollectorHost.Build(configuration, options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(listing);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var endpoint = app.Services.GetRequiredService<DnsServerService>().LocalEndPoint;
        return new DnsTestServer(app, endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
