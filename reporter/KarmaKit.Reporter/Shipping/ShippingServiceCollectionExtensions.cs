using System.Net;
using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Shipping;

internal static class ShippingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shipper as a hosted service, its collector client with its own HttpClient, and
    /// <see cref="ShippingStatus"/>. Needs <see cref="ReporterOptions"/>, <see cref="TimeProvider"/> and
    /// <see cref="Spool.ISpoolQueue"/> singletons from the host and the spool.
    /// </summary>
    public static IServiceCollection AddReporterShipping(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new ShippingStatus(
            CollectorClient.BatchesUri(sp.GetRequiredService<ReporterOptions>().CollectorUrl),
            !string.IsNullOrEmpty(sp.GetRequiredService<ReporterOptions>().Token),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ShippingStatus>>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ReporterOptions>();
            return new CollectorClient(
                CreateHttpClient(options.Shipping),
                options,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ShippingStatus>(),
                sp.GetRequiredService<ILogger<CollectorClient>>());
        });
        services.AddHostedService<BatchShipper>();
        return services;
    }

    /// <summary>
    /// One long-lived client for the collector. Connections are recycled every few minutes so a changed DNS
    /// record of the collector is picked up; the per-attempt timeout is the pipeline's, not HttpClient's.
    /// </summary>
    internal static HttpClient CreateHttpClient(ShippingOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = options.AttemptTimeout,
            AllowAutoRedirect = false, // a redirected POST would turn into a GET; a 3xx is retried and logged instead
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 1 << 20,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("karmakit-reporter");
        return client;
    }
}
