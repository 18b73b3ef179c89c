using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KarmaKit.Collector.Dns;

/// <summary>Registers the DNS server; the listing engine replaces <see cref="IDnsListing"/> by registering its own first.</summary>
internal static class DnsServiceCollectionExtensions
{
    public static IServiceCollection AddDnsServer(this IServiceCollection services)
    {
        services.TryAddSingleton<IDnsListing>(_ => StaticListing.WithTestEntries());
        services.AddSingleton<DnsServerService>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsServerService>());
        return services;
    }
}
