using AotPipe.Configuration;
using AotPipe.SessionLogs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>Registers the request log scope, the session-log capture, the archive queue and retention (DESIGN.md sections 3 and 4).</summary>
internal static class SessionLogServices
{
    /// <summary>Category of the request middleware's own log lines.</summary>
    public const string RequestsCategory = "AotPipe.Requests";

    /// <summary>Category of the archive queue, writer and retention.</summary>
    public const string SessionLogsCategory = "AotPipe.SessionLogs";

    /// <summary>
    /// Adds the services. With <c>SESSION_LOG_STORE_ENABLED</c> the queue and retention run as a hosted service (a missing
    /// password or directory logs one warning and writes nothing); when archives can be written the capture provider is
    /// added with its own filter rule, so it receives Debug events while the console keeps <c>LOG_LEVEL</c>.
    /// </summary>
    public static IServiceCollection AddSessionLogs(this IServiceCollection services, GatewaySettings settings)
    {
        var options = CreateOptions(settings);
        if (options.Enabled)
        {
            services.AddSingleton(options);
            services.AddSingleton(static sp => new SessionLogArchiveWriter(
                sp.GetRequiredService<SessionLogOptions>(), sp.GetRequiredService<TimeProvider>(), SessionLogsLogger(sp)));
            services.AddSingleton(static sp => new SessionLogQueue(
                sp.GetRequiredService<SessionLogOptions>(), sp.GetRequiredService<SessionLogArchiveWriter>(), SessionLogsLogger(sp)));
            services.AddSingleton(static sp => new SessionLogRetention(
                sp.GetRequiredService<SessionLogOptions>(), sp.GetRequiredService<TimeProvider>(), SessionLogsLogger(sp)));
            services.AddHostedService(static sp => new SessionLogHostedService(
                sp.GetRequiredService<SessionLogQueue>(), sp.GetRequiredService<SessionLogRetention>()));
        }

        if (options.IsActive)
        {
            services.AddSingleton<ILoggerProvider>(static sp => new SessionLogCaptureProvider(sp.GetRequiredService<TimeProvider>()));
            services.Configure<LoggerFilterOptions>(static filters =>
            {
                filters.AddFilter<SessionLogCaptureProvider>(null, LogLevel.Debug);

                // Framework chatter stays out of the archives; the gateway's own events are what a session log is for.
                filters.AddFilter<SessionLogCaptureProvider>("Microsoft", LogLevel.Warning);
                filters.AddFilter<SessionLogCaptureProvider>("System", LogLevel.Warning);
            });
        }

        services.AddSingleton(static sp => new RequestLogMiddleware(
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(RequestsCategory),
            sp.GetService<SessionLogQueue>(),
            sp.GetRequiredService<GatewaySettings>().SessionLogMaxLines));
        return services;
    }

    /// <summary>Adds the request log middleware (scope for <c>/v1/*</c>, session-log capture for its POST routes).</summary>
    public static IApplicationBuilder UseSessionLogs(this IApplicationBuilder app)
    {
        var middleware = app.ApplicationServices.GetRequiredService<RequestLogMiddleware>();
        return app.Use(next => context => middleware.InvokeAsync(context, next));
    }

    /// <summary>The archive options from settings.</summary>
    public static SessionLogOptions CreateOptions(GatewaySettings settings) => new(
        settings.SessionLogEnabled,
        settings.SessionLogDirectory,
        settings.SessionLogZipPassword,
        settings.SessionLogFormat switch
        {
            "text" => SessionLogFormat.Text,
            "both" => SessionLogFormat.Both,
            _ => SessionLogFormat.Jsonl,
        },
        Math.Max(1, settings.SessionLogMaxLines),
        (int)Math.Ceiling(settings.SessionLogRetention.TotalDays),
        (int)Math.Ceiling(settings.SessionLogCleanupInterval.TotalSeconds));

    private static ILogger SessionLogsLogger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(SessionLogsCategory);
}
