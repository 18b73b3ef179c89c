namespace KarmaKit.Collector.Export;

internal static class ZoneExportServiceCollectionExtensions
{
    /// <summary>The zone export, after the listing engine it reads.</summary>
    public static IServiceCollection AddZoneExport(this IServiceCollection services)
    {
        services.AddSingleton<ZoneExportService>();
        services.AddHostedService(sp => sp.GetRequiredService<ZoneExportService>());
        return services;
    }
}
