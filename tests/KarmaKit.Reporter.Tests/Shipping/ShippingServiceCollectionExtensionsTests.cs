using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Shipping;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KarmaKit.Reporter.Tests.Shipping;

public class ShippingServiceCollectionExtensionsTests
{
    [Fact]
    public void AddReporterShipping_WithHostAndSpoolServices_ResolvesTheShipperAsHostedService()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new ReporterOptions { Name = "mx1.example.org", CollectorUrl = "http://127.0.0.1:8440", Token = "secret" });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISpoolQueue>(new InMemorySpoolQueue());

        services.AddReporterShipping();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.IsType<BatchShipper>(Assert.Single(provider.GetServices<IHostedService>()));
        Assert.Equal(new Uri("http://127.0.0.1:8440/v1/batches"), provider.GetRequiredService<CollectorClient>().BatchesUrl);
        Assert.Equal(ShippingState.Starting, provider.GetRequiredService<ShippingStatus>().Current.State);
    }
}
