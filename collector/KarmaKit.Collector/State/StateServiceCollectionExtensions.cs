using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.State;

internal static class StateServiceCollectionExtensions
{
    /// <summary>The DNSBL state: the store, the feed that follows karma.log into it, and its periodic snapshot.</summary>
    public static IServiceCollection AddSubjectState(this IServiceCollection services)
    {
        services.AddSingleton<SubjectStateStore>();
        services.AddSingleton<SubjectStateFeed>();
        services.AddSingleton<IKarmaLogObserver>(sp => sp.GetRequiredService<SubjectStateFeed>());
        services.AddSingleton<Idempotency.IBatchIdRebuild>(sp => sp.GetRequiredService<SubjectStateFeed>());
        services.AddHostedService<StateSnapshotService>();
        return services;
    }
}
