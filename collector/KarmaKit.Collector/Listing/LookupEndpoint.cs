using System.Text.Json;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// <c>GET /lookup/{address}</c>: the public, read-only answer the TXT records point at. JSON: whether the address is on
/// the blocklist and the allowlist, with the code, the reason and why (or why not), for the key it falls under
/// (IPv6 /64 by default). It never names reporters. One lookup runs at a time (each takes the engine's write lock for
/// microseconds); others wait up to a second, then get 503, so a flood of lookups cannot hold up ingest.
/// </summary>
internal sealed class LookupEndpoint(ListingEngine engine) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _one = new(1, 1);

    public void Dispose() => _one.Dispose();

    public async Task HandleAsync(HttpContext context, string address)
    {
        if (!IpSubject.TryParse(address.AsSpan(), out var subject))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteAsync(context, writer => writer.WriteString("error", "not an IPv4 or IPv6 address"));
            return;
        }

        if (!await _one.WaitAsync(Wait, context.RequestAborted))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        (ListingDecision Block, ListingDecision Allow) decision;
        try
        {
            decision = engine.Explain(subject);
        }
        finally
        {
            _one.Release();
        }

        await WriteAsync(context, writer =>
        {
            writer.WriteString("address", subject.ToString());
            Write(writer, "block", decision.Block);
            Write(writer, "allow", decision.Allow);
        });
    }

    /// <summary>One list's decision as JSON (also the admin lookup's, which adds its own fields through <paramref name="more"/>).</summary>
    internal static void Write(Utf8JsonWriter writer, string list, ListingDecision decision, Action<Utf8JsonWriter>? more = null)
    {
        writer.WriteStartObject(list);
        writer.WriteBoolean("listed", decision.IsListed);
        if (decision.IsListed)
        {
            writer.WriteString("code", Code(decision.Answer.Code));
            writer.WriteString("reason", decision.Answer.Reason);
        }

        writer.WriteString("why", decision.Why());
        more?.Invoke(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes a JSON object body (no caching) and flushes it.</summary>
    internal static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> body)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static string Code(uint code) => $"{code >> 24}.{(code >> 16) & 255}.{(code >> 8) & 255}.{code & 255}";
}
