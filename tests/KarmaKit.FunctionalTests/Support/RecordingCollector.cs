using System.Collections.Concurrent;
using System.Net;
using KarmaKit.Protocol.Batches;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>
/// A stand-in for the collector (issue 3 builds the real one) on a real Kestrel on loopback. It speaks
/// DESIGN.md §2: bearer token, batch ids remembered so a resend answers duplicate and counts once,
/// and it can be switched to refuse (503) to pile up a backlog in the agent's spool.
/// </summary>
internal sealed class RecordingCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _batches = new();
    private readonly ConcurrentQueue<BatchReport> _reports = new();
    private volatile bool _refusing;

    private RecordingCollector(WebApplication app, string token)
    {
        _app = app;
        Token = token;
    }

    public string Token { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>When true every batch is answered 503 with Retry-After: 0.</summary>
    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    public int DuplicateBatches;

    public IReadOnlyCollection<BatchReport> Reports => _reports;

    public static async Task<RecordingCollector> StartAsync(string token = "functional-test-token")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var collector = new RecordingCollector(app, token);
        app.MapPost("/v1/batches", (Delegate)collector.HandleAsync);
        await app.StartAsync();
        collector.Url = new Uri(app.Urls.First() + "/");
        return collector;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != $"Bearer {Token}")
        {
            return Results.Json(new BatchRefused { Error = "bad token" }, ProtocolJsonContext.Default.BatchRefused, statusCode: 401);
        }

        if (Refusing)
        {
            context.Response.Headers.RetryAfter = "0";
            return Results.StatusCode(503);
        }

        var batch = await context.Request.ReadFromJsonAsync(ProtocolJsonContext.Default.ReportBatch);
        if (batch is null)
        {
            return Results.Json(new BatchRefused { Error = "empty" }, ProtocolJsonContext.Default.BatchRefused, statusCode: 400);
        }

        var duplicate = !_batches.TryAdd(batch.Batch, batch.Reports.Count);
        if (duplicate)
        {
            Interlocked.Increment(ref DuplicateBatches);
        }
        else
        {
            foreach (var report in batch.Reports)
            {
                _reports.Enqueue(report);
            }
        }

        return Results.Json(new BatchAccepted { Accepted = batch.Reports.Count, Duplicate = duplicate }, ProtocolJsonContext.Default.BatchAccepted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
