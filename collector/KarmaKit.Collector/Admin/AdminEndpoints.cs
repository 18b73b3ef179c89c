using System.Text.Json;
using KarmaKit.Collector.Ingest;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Operator;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using Microsoft.AspNetCore.Http.Features;

namespace KarmaKit.Collector.Admin;

/// <summary>
/// The operator's HTTP interface on the collector's listener, for the admin bearer token (<see cref="AdminAuthenticator"/>):
/// <c>GET /admin/lookup/{address}</c>, <c>GET /admin/stats</c>, <c>POST /admin/allow</c>, <c>/admin/unallow</c>,
/// <c>/admin/delist</c> (JSON bodies). The token is checked before the body is read; a refused request writes nothing.
/// Changes go through karma.log's writer like reports, so they are durable, replayed at start, and already in DNS
/// when the answer leaves.
/// </summary>
internal sealed class AdminEndpoints(AdminAuthenticator auth, ListingEngine engine, KarmaLogService log, AdminStats stats, ILogger<AdminEndpoints> logger)
{
    /// <summary>Largest request body: a JSON object of a few short strings.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>The operator name used when a request does not give one.</summary>
    public const string DefaultOperator = "admin";

    /// <summary>The shortest networks accepted, so a typo (<c>/0</c>) cannot switch the whole list off.</summary>
    public const int MinIPv4Length = 8, MinIPv6Length = 16;

    public void Map(WebApplication app)
    {
        app.MapGet("/admin/lookup/{address}", (HttpContext c, string address) => GuardAsync(c, () => LookupAsync(c, address)));
        app.MapGet("/admin/stats", (HttpContext c) => GuardAsync(c, () => stats.WriteAsync(c)));
        app.MapPost("/admin/allow", (HttpContext c) => GuardAsync(c, () => ChangeAsync(c, OperatorVerb.Allow)));
        app.MapPost("/admin/unallow", (HttpContext c) => GuardAsync(c, () => ChangeAsync(c, OperatorVerb.Unallow)));
        app.MapPost("/admin/delist", (HttpContext c) => GuardAsync(c, () => ChangeAsync(c, OperatorVerb.Delist)));
    }

    private async Task GuardAsync(HttpContext context, Func<Task> handler)
    {
        var status = auth.Check(context.Request.Headers.Authorization);
        if (status != StatusCodes.Status200OK)
        {
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            if (status != StatusCodes.Status404NotFound)
            {
                logger.AdminRefused(context.Connection.RemoteIpAddress?.ToString() ?? "?", status);
            }

            return;
        }

        await handler();
    }

    private async Task LookupAsync(HttpContext context, string address)
    {
        if (!IpSubject.TryParse(address.AsSpan(), out var subject))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "not an IPv4 or IPv6 address");
            return;
        }

        var report = engine.Inspect(subject);
        await LookupEndpoint.WriteAsync(context, writer => AdminJson.WriteReport(writer, report));
    }

    private async Task ChangeAsync(HttpContext context, OperatorVerb verb)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        OperatorRequest? request;
        string? problem;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            (request, problem) = Read(body.RootElement, verb);
        }
        catch (Exception ex) when (ex is JsonException or BadHttpRequestException)
        {
            (request, problem) = (null, ex is BadHttpRequestException ? "body too large or cut short" : "the body is not JSON");
        }

        if (request is null)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, problem!);
            return;
        }

        if (request.Verb == OperatorVerb.Unallow && !engine.HasAllow(request.Network))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, $"no allow entry for {request.Network}");
            return;
        }

        OperatorAction action;
        try
        {
            var writer = await log.WriterAsync;
            action = await writer.AppendOperatorAsync(request, context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            context.Response.Headers.RetryAfter = "5";
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "karma.log cannot be written");
            return;
        }

        logger.OperatorAction(action.Operator, action.Verb.ToWire(), action.Network.ToString(), action.Until?.ToString("O") ?? "-", action.Reason ?? "");
        var after = engine.Inspect(action.Network.Address);
        await LookupEndpoint.WriteAsync(context, writer =>
        {
            AdminJson.WriteAction(writer, "done", action);
            writer.WriteStartObject("lookup");
            AdminJson.WriteReport(writer, after);
            writer.WriteEndObject();
        });
    }

    /// <summary>The request in a body (<c>address</c>, <c>reason</c>, <c>for</c>, <c>operator</c>, <c>remove</c>), or why not.</summary>
    internal static (OperatorRequest? Request, string? Problem) Read(JsonElement body, OperatorVerb verb)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, "the body must be a JSON object");
        }

        string? Text(string name) => body.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        if (verb == OperatorVerb.Allow && body.TryGetProperty("remove", out var remove) && remove.ValueKind == JsonValueKind.True)
        {
            verb = OperatorVerb.Unallow;
        }

        var name = Text("operator") ?? DefaultOperator;
        if (!ReporterNames.IsValid(name))
        {
            return (null, "operator must be 1 to 253 letters, digits, '.', '-', '_'");
        }

        var address = Text("address") ?? "";
        if (!IpNetwork.TryParse(address.AsSpan(), out var network))
        {
            return (null, verb == OperatorVerb.Delist ? "address must be an IPv4 or IPv6 address" : "address must be an IPv4 or IPv6 address or CIDR network");
        }

        // A typo like 203.0.113.7/8 would silently act on 203.0.0.0/8: refuse what the log replay would quietly clear.
        if (IpSubject.TryParse(address.AsSpan(0, address.Contains('/') ? address.IndexOf('/') : address.Length), out var given)
            && given.Value != network.Prefix)
        {
            return (null, $"{address} has host bits set beyond the prefix; the network is {network}");
        }

        // IPv4 lives at ::ffff:0:0/96 inside the 128-bit space: an IPv6 network over it would act on IPv4 addresses.
        if (!network.IsIPv4 && network.Contains(IpSubject.FromIPv4(0).Value))
        {
            return (null, $"network {network} covers the IPv4-mapped range ::ffff:0:0/96; give IPv4 networks in IPv4 form");
        }

        if (verb == OperatorVerb.Delist && !network.IsSingle)
        {
            return (null, "delist takes one address, not a network");
        }

        if (network.IsIPv4 ? network.TextLength < MinIPv4Length : network.Length < MinIPv6Length)
        {
            return (null, $"network {network} is too wide (shortest: IPv4 /{MinIPv4Length}, IPv6 /{MinIPv6Length})");
        }

        var reason = Text("reason");
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (verb == OperatorVerb.Allow && reason is null)
        {
            return (null, "allow needs a reason");
        }

        if (reason is not null && BatchValidator.ReasonProblem(reason) is { } reasonProblem)
        {
            return (null, reasonProblem);
        }

        TimeSpan? span = null;
        if (Text("for") is { } forText && verb != OperatorVerb.Unallow)
        {
            if (!DurationText.TryParse(forText, out var parsed))
            {
                return (null, $"for must be a duration such as 90s, 30m, 12h, 7d, 2w or 7.00:00:00 (at most {DurationText.Max.TotalDays:0} days), got '{forText}'");
            }

            span = parsed;
        }

        return (new OperatorRequest(name, verb, network, span, reason), null);
    }

    private static async Task ErrorAsync(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        await LookupEndpoint.WriteAsync(context, writer => writer.WriteString("error", error));
    }
}
