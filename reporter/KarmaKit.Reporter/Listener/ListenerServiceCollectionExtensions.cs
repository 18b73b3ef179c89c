using Microsoft.Extensions.DependencyInjection;

namespace KarmaKit.Reporter.Listener;

public static class ListenerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the readsocket listener as a hosted service. It needs ReporterOptions, TimeProvider and
    /// ISpoolWriter singletons (from the host and the spool). Register it after the spool, so the spool is
    /// ready before the first request and still running while the listener drains on stop.
    /// </summary>
    public static IServiceCollection AddReporterListener(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<LineServer>();
        services.AddHostedService(sp => sp.GetRequiredService<LineServer>());
        return services;
    }
}
