using AotPipe.Catalog;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Endpoints;
using AotPipe.Upstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>Builds the gateway's web application from parsed settings (used by <c>aotpipe serve</c> and the tests).</summary>
public static class GatewayApplication
{
    /// <summary>Margin between the drain deadline and the host's hard shutdown timeout, for the final error events.</summary>
    private static readonly TimeSpan s_shutdownMargin = TimeSpan.FromSeconds(5);

    /// <summary>Creates the application listening on <paramref name="urls"/>.</summary>
    /// <param name="settings">Effective settings.</param>
    /// <param name="urls">Listen URLs (semicolon-separated).</param>
    /// <param name="configure">Test hook to replace services (time, upstream handler).</param>
    public static WebApplication Build(GatewaySettings settings, string urls, Action<IServiceCollection>? configure = null)
    {
        // Settings come from the environment only: without this the host watches appsettings*.json for changes with a
        // dedicated thread and an inotify watch (perf-reports/footprint.md).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
        });

        // Inline scheduling halves CPU per relayed event together with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
        // (PERFORMANCE.md, perf-reports/footprint.md); it is safe because nothing on the request path blocks.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownDrain + s_shutdownMargin);

        ConfigureLogging(builder.Logging, settings);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new AdmissionGate(settings.MaxConcurrentRequests));
        builder.Services.AddSingleton(static sp => new ShutdownDrain(
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<GatewaySettings>().ShutdownDrain, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(static sp => new OpenRouterClient(sp.GetRequiredService<GatewaySettings>()));
        builder.Services.AddSingleton<UpstreamSender>();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddIngestion(settings, urls);
        builder.Services.AddArtifacts(settings);
        builder.Services.AddSessionLogs(settings);
        builder.Services.AddOperations(settings);
        configure?.Invoke(builder.Services);

        var app = builder.Build();

        // Resolve the store now so that a bad PIPE_ID or DATABASE_URL stops start-up before listening (exit 2).
        _ = app.Services.GetRequiredService<Persistence.IArtifactStore>();

        // Auth and limits first, so that session logs know the tenant of every request they capture.
        app.UseOperations();
        app.UseSessionLogs();
        app.MapHealth();
        app.MapResponses();
        app.MapModels();
        app.MapChatCompletions();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AotPipe");
        StartupWarnings.Log(settings, logger);

        app.Lifetime.ApplicationStarted.Register(() => GatewayLog.Listening(logger, string.Join(' ', app.Urls)));
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, GatewaySettings settings)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(ToLogLevel(settings.LogLevel));

        // Framework chatter stays at warning unless the operator asked for debug.
        logging.AddFilter("Microsoft", settings.LogLevel == "DEBUG" ? LogLevel.Information : LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        if (settings.JsonLogs)
        {
            logging.AddJsonConsole(options =>
            {
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                options.IncludeScopes = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                options.UseUtcTimestamp = true;
                options.IncludeScopes = true;
            });
        }
    }

    /// <summary>Maps the original pipe's level words to .NET levels.</summary>
    public static LogLevel ToLogLevel(string level) => level switch
    {
        "DEBUG" => LogLevel.Debug,
        "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}
