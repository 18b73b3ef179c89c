using KarmaKit.Collector.Dns;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Listing;

internal static class ListingServiceCollectionExtensions
{
    /// <summary>
    /// The listing engine as the DNS server's <see cref="IDnsListing"/> (registered before <c>AddDnsServer</c>, whose
    /// TryAdd then keeps it), and behind the state in the log's observer chain, so it sees each commit after the state.
    /// </summary>
    public static IServiceCollection AddListingEngine(this IServiceCollection services)
    {
        services.AddSingleton<SerialReservation>();
        services.AddSingleton<ListingEngine>();
        services.AddSingleton<LookupEndpoint>();
        services.AddSingleton<IDnsListing>(sp => sp.GetRequiredService<ListingEngine>());
        services.AddSingleton<IKarmaLogObserver>(sp => new KarmaLogObservers(sp.GetRequiredService<SubjectStateFeed>(), sp.GetRequiredService<ListingEngine>()));
        return services;
    }
}

/// <summary>Several observers in order; the first one's failure does not stop the later ones from being told.</summary>
internal sealed class KarmaLogObservers(params IKarmaLogObserver[] observers) : IKarmaLogObserver
{
    public void Recovered(string logPath)
    {
        foreach (var observer in observers)
        {
            observer.Recovered(logPath);
        }
    }

    public void Appended(in KarmaLogAppend append)
    {
        List<Exception>? errors = null;
        foreach (var observer in observers)
        {
            try
            {
                observer.Appended(append);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException(errors);
        }
    }

    public void Closed()
    {
        foreach (var observer in observers)
        {
            observer.Closed();
        }
    }
}
