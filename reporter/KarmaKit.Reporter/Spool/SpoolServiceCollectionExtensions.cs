using KarmaKit.Reporter.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Spool;

internal static class SpoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="SpoolJournal"/> on <c>Reporter:Spool</c> as both <see cref="ISpoolWriter"/> and
    /// <see cref="ISpoolQueue"/>. Needs the <see cref="ReporterOptions"/> and <see cref="TimeProvider"/> singletons and logging.
    /// Resolving it opens the spool (lock, recovery), so resolve it before any listener accepts; the container's
    /// disposal drains pending appends, flushes and closes it.
    /// </summary>
    public static IServiceCollection AddReporterSpool(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ReporterOptions>();
            return new SpoolJournal(options.Spool, options.Journal, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SpoolJournal>>());
        });
        services.AddSingleton<ISpoolWriter>(sp => sp.GetRequiredService<SpoolJournal>());
        services.AddSingleton<ISpoolQueue>(sp => sp.GetRequiredService<SpoolJournal>());
        return services;
    }
}
