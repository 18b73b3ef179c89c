using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Shipping;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>A shipper wired as <c>AddReporterShipping</c> wires it, over an in-memory spool and a given HttpClient.</summary>
internal sealed class ShippingHarness : IDisposable
{
    public ShippingHarness(ReporterOptions options, HttpClient http, InMemorySpoolQueue? spool = null, TimeProvider? timeProvider = null, Func<double>? randomizer = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        Options = options;
        Spool = spool ?? new InMemorySpoolQueue();
        Status = new ShippingStatus(CollectorClient.BatchesUri(options.CollectorUrl), options.Token is not null, time, StatusLog);
        Client = new CollectorClient(http, options, time, Status, ClientLog, randomizer);
        Shipper = new BatchShipper(Spool, Client, options, time, Status, ShipperLog);
    }

    public ReporterOptions Options { get; }

    public InMemorySpoolQueue Spool { get; }

    public ShippingStatus Status { get; }

    public CollectorClient Client { get; }

    public BatchShipper Shipper { get; }

    public ListLogger<ShippingStatus> StatusLog { get; } = new();

    public ListLogger<CollectorClient> ClientLog { get; } = new();

    public ListLogger<BatchShipper> ShipperLog { get; } = new();

    /// <summary>Options for fast tests: tiny real delays, a circuit that only breaks when a test asks for it.</summary>
    public static ReporterOptions FastOptions(string collectorUrl = "http://collector.test/", Action<ShippingOptions>? shipping = null)
    {
        var options = new ReporterOptions { Name = "mx1.example.org", CollectorUrl = collectorUrl, Token = "secret" };
        var s = options.Shipping;
        s.MaxBatchAge = TimeSpan.Zero;
        s.AttemptTimeout = TimeSpan.FromSeconds(5);
        s.RetryDelay = TimeSpan.FromMilliseconds(5);
        s.MaxRetryDelay = TimeSpan.FromMilliseconds(20);
        s.BreakMinimumThroughput = 1000;
        shipping?.Invoke(s);
        return options;
    }

    public void Dispose()
    {
        Shipper.Dispose();
        Client.Dispose();
    }
}
