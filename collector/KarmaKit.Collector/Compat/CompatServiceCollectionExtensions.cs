using KarmaKit.Collector.Configuration;

namespace KarmaKit.Collector.Compat;

internal static class CompatServiceCollectionExtensions
{
    /// <summary>The compatibility listener, when <c>Collector:Compat:Tcp</c> is set; after the log so it stops first.</summary>
    public static IServiceCollection AddCompatListener(this IServiceCollection services, CollectorOptions options)
    {
        if (options.Compat.Tcp.Length > 0)
        {
            services.AddSingleton<CompatListener>();
            services.AddHostedService(sp => sp.GetRequiredService<CompatListener>());
        }

        return services;
    }
}
