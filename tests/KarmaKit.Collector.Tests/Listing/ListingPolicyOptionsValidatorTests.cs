using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Listing;

namespace KarmaKit.Collector.Tests.Listing;

public class ListingPolicyOptionsValidatorTests
{
    [Fact]
    public void Collect_Defaults_NoErrors()
    {
        Assert.Empty(CollectorOptionsValidator.Collect(new CollectorOptions()));
    }

    [Fact]
    public void Collect_EveryKeyBad_AllNamedAtOnce()
    {
        var options = new CollectorOptions();
        var p = options.Policy;
        p.Threshold = 0;
        p.Window = TimeSpan.Zero;
        p.DelistAfter = TimeSpan.FromDays(400);
        p.WhiteWindow = TimeSpan.FromSeconds(1);
        p.Ipv6Prefix = 8;
        p.Codes["spam"] = "127.0.0.1";
        p.Codes["virus"] = "10.0.0.3";
        p.Reporters["mx1"] = new ReporterPolicyOptions { Weight = -1, DailyCap = -2 };

        var errors = CollectorOptionsValidator.Collect(options);

        Assert.Equal(
        [
            "Collector:Policy:Threshold must be more than 0 and at most 1000000, got 0",
            "Collector:Policy:Window must be between 00:01:00 and 366.00:00:00, got 00:00:00",
            "Collector:Policy:DelistAfter must be between 00:01:00 and 366.00:00:00, got 400.00:00:00",
            "Collector:Policy:WhiteWindow must be between 00:01:00 and 3660.00:00:00, got 00:00:01",
            "Collector:Policy:Ipv6Prefix must be between 16 and 128, got 8",
            "Collector:Policy:Codes:spam must be an address in 127.0.0.0/8 other than 127.0.0.0 and 127.0.0.1, got '127.0.0.1'",
            "Collector:Policy:Codes:virus must be an address in 127.0.0.0/8 other than 127.0.0.0 and 127.0.0.1, got '10.0.0.3'",
            "Collector:Policy:Reporters:mx1:Weight must be between 0 and 1000000, got -1",
            "Collector:Policy:Reporters:mx1:DailyCap must be 0 (no cap) or up to 100000000, got -2",
        ], errors);
    }

    [Fact]
    public void Bind_PolicyKeys_Bound()
    {
        var configuration = CollectorConfiguration.Build(
            ["--Collector:Policy:Threshold=2.5", "--Collector:Policy:Reporters:mx1.example.org:Weight=0.5", "--Collector:Policy:Reporters:mx1.example.org:DailyCap=100",
             "--Collector:Policy:Codes:phish=127.0.0.9", "--Collector:Policy:ListDocumentationRanges=true", "--Collector:Policy:Ipv6Prefix=56"],
            "/nonexistent/absent.json");

        var p = CollectorConfiguration.Bind(configuration).Policy;

        Assert.Equal((2.5, 0.5, 100, "127.0.0.9", true, 56), (p.Threshold, p.Reporters["MX1.example.org"].Weight, p.Reporters["mx1.example.org"].DailyCap, p.Codes["phish"], p.ListDocumentationRanges, p.Ipv6Prefix));
    }
}
