using System.Security.Cryptography.X509Certificates;
using KarmaKit.Collector.Compat;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Export;
using KarmaKit.Collector.Ingest;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Metrics;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;

namespace KarmaKit.Collector;

/// <summary>Composes the collector: Kestrel with its limits → <see cref="BatchEndpoint"/> → <see cref="KarmaLogService"/>.</summary>
internal static class CollectorHost
{
    public static int Run(IConfiguration configuration, CollectorOptions options)
    {
        try
        {
            using var app = Build(configuration, options);
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KarmaKit.Collector");
            var reporters = app.Services.GetRequiredService<ReporterAuthenticator>().Count;
            logger.CollectorStarting(typeof(CollectorHost).Assembly.GetName().Version?.ToString(3) ?? "?", options.Http, Path.GetFullPath(options.Log), reporters);
            if (reporters == 0)
            {
                logger.NoReporters();
            }

            if (HttpEndpoint.TryParse(options.Http, out var http) && !http.Https && !http.IsLoopback)
            {
                logger.PlainHttpOffLoopback(options.Http);
            }

            app.Run();
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // Start-up failures (address in use, log not writable, another collector on the data) end here, in one line.
            Console.Error.WriteLine($"karmakit-collector: cannot start: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The web application, not started; <paramref name="configure"/> lets tests replace services (time, logging).</summary>
    public static WebApplication Build(IConfiguration configuration, CollectorOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, configuration);
        builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, options));
        builder.Services.AddSystemd(); // does nothing unless started by systemd with NOTIFY_SOCKET

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new ReporterAuthenticator(options.Reporters));
        services.AddSingleton(new ReporterRateLimiter(options.Ingest.RateLimit));
        services.AddCollectorMetrics(options);
        services.AddSubjectState();
        services.AddSingleton<KarmaLogService>();
        services.AddHostedService(sp => sp.GetRequiredService<KarmaLogService>());
        services.AddSingleton<BatchEndpoint>();
        services.AddCompatListener(options);
        services.AddListingEngine();
        services.AddSingleton(new Admin.AdminAuthenticator(options.Admin));
        services.AddSingleton<Admin.AdminStats>();
        services.AddSingleton<Admin.AdminEndpoints>();
        services.AddZoneExport();
        configure?.Invoke(builder);
        services.AddDnsServer();

        var app = builder.Build();
        app.MapPost("/v1/batches", app.Services.GetRequiredService<BatchEndpoint>().HandleAsync);
        app.MapGet("/healthz", HealthAsync);
        app.MapGet("/lookup/{address}", app.Services.GetRequiredService<Listing.LookupEndpoint>().HandleAsync);
        app.MapMetrics(options);
        app.Services.GetRequiredService<Admin.AdminEndpoints>().Map(app);
        return app;
    }

    private static async Task HealthAsync(HttpContext context)
    {
        var log = context.RequestServices.GetRequiredService<KarmaLogService>().WriterAsync;
        var (status, text) = !log.IsCompletedSuccessfully ? (503, "starting\n")
            : log.Result.IsHealthy ? (200, "ok\n") : (503, "karma.log cannot be written\n");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(text);
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, CollectorOptions options)
    {
        kestrel.AddServerHeader = false;
        var ingest = options.Ingest;
        var limits = kestrel.Limits;
        limits.MaxRequestBodySize = ingest.MaxBodyBytes;
        limits.MaxRequestHeadersTotalSize = ingest.MaxHeaderBytes;
        limits.RequestHeadersTimeout = ingest.HeadersTimeout;
        limits.MinRequestBodyDataRate = ingest.MinBodyBytesPerSecond == 0 ? null : new MinDataRate(ingest.MinBodyBytesPerSecond, TimeSpan.FromSeconds(5));
        limits.MaxConcurrentConnections = ingest.MaxConnections;

        if (!HttpEndpoint.TryParse(options.Http, out var http))
        {
            throw new InvalidOperationException($"Collector:Http '{options.Http}' is not valid");
        }

        void Configure(ListenOptions listen)
        {
            if (http.Https)
            {
                listen.UseHttps(X509Certificate2.CreateFromPemFile(options.Tls.Certificate!, options.Tls.Key));
            }
        }

        if (http.IsLocalhost)
        {
            kestrel.ListenLocalhost(http.Port, Configure);
        }
        else
        {
            kestrel.Listen(http.Address!, http.Port, Configure);
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    }
}
