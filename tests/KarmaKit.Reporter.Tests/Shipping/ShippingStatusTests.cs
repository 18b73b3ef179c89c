using System.Net;
using System.Net.Sockets;
using KarmaKit.Reporter.Shipping;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace KarmaKit.Reporter.Tests.Shipping;

public class ShippingStatusTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger<ShippingStatus> _log = new();

    [Fact]
    public void AttemptFailed_SameStateAgain_LoggedOnce()
    {
        var sut = Create();

        sut.AttemptFailed(Failure(HttpStatusCode.ServiceUnavailable));
        sut.AttemptFailed(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException(TimeSpan.FromSeconds(10))));
        sut.AttemptFailed(Failure(HttpStatusCode.BadGateway));

        Assert.Equal(ShippingState.Unreachable, sut.Current.State);
        Assert.Equal("HTTP 502 Bad Gateway", sut.Current.LastError);
        Assert.Equal([(LogLevel.Warning, "CollectorUnreachable")], _log.Entries.Select(e => (e.Level, e.EventId.Name)));
    }

    [Fact]
    public void AttemptFailed_UnreachableThenUnauthorized_EachChangeLogged()
    {
        var sut = Create();

        sut.AttemptFailed(Failure(HttpStatusCode.ServiceUnavailable));
        sut.AttemptFailed(Failure(HttpStatusCode.Unauthorized));
        sut.AttemptFailed(Failure(HttpStatusCode.Forbidden));

        Assert.Equal(ShippingState.Unauthorized, sut.Current.State);
        Assert.Equal(["CollectorUnreachable", "CollectorUnauthorized"], _log.Entries.Select(e => e.EventId.Name));
    }

    [Fact]
    public void AttemptFailed_OpenCircuitWhileUnauthorized_KeepsTheState()
    {
        var sut = Create();
        sut.AttemptFailed(Failure(HttpStatusCode.Unauthorized));

        sut.AttemptFailed(Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException()));

        Assert.Equal(ShippingState.Unauthorized, sut.Current.State);
        Assert.Single(_log.Entries);
    }

    [Fact]
    public void Answered_AfterOutage_LogsRecoveryOnceWithTheOutage()
    {
        var sut = Create();
        sut.AttemptFailed(Failure(HttpStatusCode.ServiceUnavailable));
        _time.Advance(TimeSpan.FromMinutes(3));

        sut.Answered();
        sut.Answered();

        Assert.Equal(ShippingState.Delivering, sut.Current.State);
        var recovered = Assert.Single(_log.Entries, e => e.EventId.Name == "CollectorReachable");
        Assert.Equal(LogLevel.Information, recovered.Level);
        Assert.Contains("00:03:00", recovered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Waiting_WhileFailing_KeepsTheFailureVisible()
    {
        var sut = Create();
        sut.AttemptFailed(Failure(HttpStatusCode.ServiceUnavailable));

        sut.Waiting();

        Assert.Equal(ShippingState.Unreachable, sut.Current.State);
    }

    [Fact]
    public void Describe_ConnectionRefused_SaysSoOnce()
    {
        var refused = new HttpRequestException("Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused));

        var text = ShippingStatus.Describe(Outcome.FromException<HttpResponseMessage>(refused));

        Assert.Equal("Connection refused (127.0.0.1:9)", text);
    }

    private ShippingStatus Create() => new(new Uri("http://collector.test/v1/batches"), hasToken: true, _time, _log);

    private static Outcome<HttpResponseMessage> Failure(HttpStatusCode status) => Outcome.FromResult(new HttpResponseMessage(status));
}
