using KarmaKit.Collector.Configuration;

namespace KarmaKit.Collector.Metrics;

internal static class MetricsServiceCollectionExtensions
{
    /// <summary>The counters (every configured reporter's series starts at 0) and the endpoint.</summary>
    public static IServiceCollection AddCollectorMetrics(this IServiceCollection services, CollectorOptions options)
    {
        var metrics = new CollectorMetrics();
        foreach (var reporter in options.Reporters.Keys.Concat(options.Compat.Sources.Keys))
        {
            metrics.AddReporter(reporter);
        }

        services.AddSingleton(metrics);
        services.AddSingleton<MetricsEndpoint>();
        return services;
    }

    /// <summary><c>GET /metrics</c> unless <c>Collector:Metrics:Enabled</c> is false.</summary>
    public static void MapMetrics(this WebApplication app, CollectorOptions options)
    {
        if (options.Metrics.Enabled)
        {
            app.MapGet("/metrics", app.Services.GetRequiredService<MetricsEndpoint>().HandleAsync);
        }
    }
}
