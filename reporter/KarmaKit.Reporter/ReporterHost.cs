using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Listener;
using KarmaKit.Reporter.Shipping;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace KarmaKit.Reporter;

/// <summary>Composes the agent: listener → spool → shipper, one generic host, systemd-aware.</summary>
internal static class ReporterHost
{
    public static int Run(IConfiguration configuration, ReporterOptions options)
    {
        using var host = Build(configuration, options);
        try
        {
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KarmaKit.Reporter");
            logger.AgentStarting(
                typeof(ReporterHost).Assembly.GetName().Version?.ToString(3) ?? "?",
                options.Name,
                options.Spool,
                options.Journal.Durability.ToString(),
                options.CollectorUrl);
            if (options.Token is null)
            {
                logger.NoToken();
            }

            host.Run();
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // Start-up failures (socket in use, spool not writable, another agent on the spool) end here, in one line.
            Console.Error.WriteLine($"karmakit-reporter: cannot start: {ex.Message}");
            return 1;
        }
    }

    public static IHost Build(IConfiguration configuration, ReporterOptions options)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, configuration);
        builder.Services.AddSystemd();
        AddServices(builder.Services, options);
        return builder.Build();
    }

    internal static void AddServices(IServiceCollection services, ReporterOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);

        // Order matters: hosted services start in this order and stop in reverse, so the spool is open before
        // the listener accepts, and the listener has drained before the shipper and the spool go away.
        services.AddReporterSpool();
        services.AddReporterListener();
        services.AddReporterShipping();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    }
}
