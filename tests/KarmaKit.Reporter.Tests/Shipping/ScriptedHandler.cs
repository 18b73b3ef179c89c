using System.Net;
using System.Text;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>
/// An <see cref="HttpMessageHandler"/> test double for the pipeline and shipper unit tests: no sockets, so the
/// timing tests can run on a fake clock (the wire itself is covered by the tests against a real Kestrel).
/// Answers each request with <c>respond(attemptNumber starting at 1, request body)</c>.
/// </summary>
internal sealed class ScriptedHandler(Func<int, string, HttpResponseMessage> respond, TimeProvider? timeProvider = null) : HttpMessageHandler
{
    private readonly Lock _lock = new();
    private readonly List<Request> _requests = [];
    private readonly SemaphoreSlim _attempts = new(0);

    public List<Request> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Completes when the next request has arrived (false after <paramref name="timeout"/>).</summary>
    public Task<bool> NextAttemptAsync(TimeSpan timeout) => _attempts.WaitAsync(timeout);

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Accepted(int accepted = 1, bool duplicate = false) =>
        Json(HttpStatusCode.OK, $$"""{"accepted":{{accepted}},"duplicate":{{(duplicate ? "true" : "false")}}}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        int number;
        lock (_lock)
        {
            _requests.Add(new Request(
                (timeProvider ?? TimeProvider.System).GetUtcNow(),
                request.Method,
                request.RequestUri,
                request.Headers.Authorization?.ToString(),
                request.Content?.Headers.ContentType?.MediaType,
                body));
            number = _requests.Count;
        }

        var response = respond(number, body);
        _attempts.Release();
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _attempts.Dispose();
        }

        base.Dispose(disposing);
    }

    internal sealed record Request(DateTimeOffset At, HttpMethod Method, Uri? Url, string? Authorization, string? MediaType, string Body);
}
