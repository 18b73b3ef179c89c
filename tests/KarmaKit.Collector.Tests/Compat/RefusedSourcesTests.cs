using System.Net;
using KarmaKit.Collector.Compat;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Compat;

public sealed class RefusedSourcesTests
{
    [Fact]
    public void Report_SameSourceAgain_LoggedOncePerInterval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sut = new RefusedSources(time, NullLogger.Instance);
        var source = IPAddress.Parse("198.51.100.7");

        var logged = new List<bool> { sut.Report(source), sut.Report(source), sut.Report(IPAddress.Parse("198.51.100.8")) };
        time.Advance(RefusedSources.Interval - TimeSpan.FromSeconds(1));
        logged.Add(sut.Report(source));
        time.Advance(TimeSpan.FromSeconds(1));
        logged.Add(sut.Report(source));

        Assert.Equal([true, false, true, false, true], logged);
    }
}
