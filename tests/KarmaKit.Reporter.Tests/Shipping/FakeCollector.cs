using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using KarmaKit.Protocol.Batches;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>What the fake collector does with one request.</summary>
internal enum CollectorStep
{
    Accept,

    /// <summary>Never answers (until the client gives up and aborts).</summary>
    Stall,

    /// <summary>429 with <c>Retry-After: 1</c>.</summary>
    TooManyRequests,

    BadRequest,

    TooLarge,
}

/// <summary>
/// A collector on a real Kestrel on 127.0.0.1: checks the bearer token, deduplicates by batch id as the real
/// collector will (a known id is answered 200 with <c>"duplicate":true</c> and not taken again), and follows a
/// script by request number.
/// </summary>
internal sealed class FakeCollector : IAsyncDisposable
{
    public const string Token = "secret";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ReportBatch> _accepted = [];
    private readonly List<Answer> _answers = [];
    private readonly Func<int, ReportBatch, CollectorStep> _script;
    private WebApplication? _app;
    private int _requests;

    private FakeCollector(int port, Func<int, ReportBatch, CollectorStep>? script)
    {
        Port = port;
        _script = script ?? ((_, _) => CollectorStep.Accept);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Batches taken, by id: each exactly once, duplicates excluded.</summary>
    public Dictionary<string, ReportBatch> Accepted
    {
        get
        {
            lock (_lock)
            {
                return new(_accepted);
            }
        }
    }

    public List<Answer> Answers
    {
        get
        {
            lock (_lock)
            {
                return [.. _answers];
            }
        }
    }

    /// <summary>A loopback port nothing listens on (yet): connecting to it is refused.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<FakeCollector> StartAsync(int port = 0, Func<int, ReportBatch, CollectorStep>? script = null)
    {
        var collector = new FakeCollector(port == 0 ? FreePort() : port, script);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, collector.Port));
        var app = builder.Build();
        app.MapPost("/v1/batches", (RequestDelegate)collector.HandleAsync);
        await app.StartAsync();
        collector._app = app;
        return collector;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != $"Bearer {Token}")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var batch = await JsonSerializer.DeserializeAsync(context.Request.Body, ProtocolJsonContext.Default.ReportBatch, context.RequestAborted);
        var step = _script(Interlocked.Increment(ref _requests), batch!);
        switch (step)
        {
            case CollectorStep.Stall:
                Record(batch!, 0, false);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }

                return;

            case CollectorStep.TooManyRequests:
                context.Response.Headers.RetryAfter = "1";
                await WriteAsync(context, 429, new BatchRefused { Error = "slow down" }, ProtocolJsonContext.Default.BatchRefused);
                Record(batch!, 429, false);
                return;

            case CollectorStep.BadRequest:
                await WriteAsync(context, 400, new BatchRefused { Error = "reports[0]: rejected by the test" }, ProtocolJsonContext.Default.BatchRefused);
                Record(batch!, 400, false);
                return;

            case CollectorStep.TooLarge:
                await WriteAsync(context, 413, new BatchRefused { Error = "batch too large" }, ProtocolJsonContext.Default.BatchRefused);
                Record(batch!, 413, false);
                return;

            default:
                bool duplicate;
                lock (_lock)
                {
                    duplicate = !_accepted.TryAdd(batch!.Batch, batch);
                }

                await WriteAsync(context, 200, new BatchAccepted { Accepted = batch.Reports.Sum(r => r.Count), Duplicate = duplicate }, ProtocolJsonContext.Default.BatchAccepted);
                Record(batch, 200, duplicate);
                return;
        }
    }

    private void Record(ReportBatch batch, int status, bool duplicate)
    {
        lock (_lock)
        {
            _answers.Add(new Answer(batch.Batch, status, duplicate, batch));
        }
    }

    private static async Task WriteAsync<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted);
    }

    /// <summary>One request as the collector saw it; status 0 means it never answered.</summary>
    internal sealed record Answer(string BatchId, int Status, bool Duplicate, ReportBatch Batch);
}
