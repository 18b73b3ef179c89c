using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Collector.Tests.Support;

/// <summary>The real collector host on loopback port 0 over files in a test's directory; restartable over the same files.</summary>
internal sealed class TestCollector : IAsyncDisposable
{
    public const string Reporter1 = "mx1.example.org";
    public const string Token1 = "token-of-mx1-0123456789";
    public const string Reporter2 = "mx2.example.org";
    public const string Token2 = "token-of-mx2-0123456789";

    private readonly WebApplication _app;

    private TestCollector(WebApplication app, string directory, HttpClient client)
    {
        _app = app;
        Directory = directory;
        Client = client;
    }

    public string Directory { get; }

    public HttpClient Client { get; }

    public Uri BaseAddress => Client.BaseAddress!;

    public string LogPath => Path.Combine(Directory, "log", "karma.log");

    public KarmaLogService Log => _app.Services.GetRequiredService<KarmaLogService>();

    public IServiceProvider Services => _app.Services;

    public SubjectStateFeed State => _app.Services.GetRequiredService<SubjectStateFeed>();

    /// <summary>Starts a collector; <paramref name="settings"/> are more <c>--Collector:Key=value</c> arguments.</summary>
    public static Task<TestCollector> StartAsync(string directory, params string[] settings) =>
        StartAsync(directory, TimeProvider.System, settings);

    /// <summary>Starts a collector whose clock is <paramref name="time"/>.</summary>
    public static async Task<TestCollector> StartAsync(string directory, TimeProvider time, params string[] settings)
    {
        string[] args =
        [
            "--Collector:Http=http://127.0.0.1:0",
            "--Collector:Dns:Listen=127.0.0.1:0",
            "--Collector:Policy:ListDocumentationRanges=true", // the tests' clients are 192.0.2.x, 2001:db8::
            $"--Collector:Log={Path.Combine(directory, "log", "karma.log")}",
            $"--Collector:Data={Path.Combine(directory, "data")}",
            $"--Collector:Reporters:{Reporter1}:Token={Token1}",
            $"--Collector:Reporters:{Reporter2}:Token=sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token2)))}",
            .. settings,
        ];
        var configuration = CollectorConfiguration.Build(args, Path.Combine(directory, "absent.json"));
        var options = CollectorConfiguration.BindAndValidate(configuration);
        var app = CollectorHost.Build(configuration, options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(time);
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

        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/") };
        return new TestCollector(app, directory, client);
    }

    public async Task<KarmaLogWriter> WriterAsync() => await Log.WriterAsync;

    public Task<HttpResponseMessage> PostAsync(string body, string? token = Token1)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/batches")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return Client.SendAsync(request);
    }

    public string[] LogLines() => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
