using System.Net;
using AotPipe.Configuration;
using AotPipe.Ingestion;
using AotPipe.Security.Egress;
using AotPipe.Upstream;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>Registers the egress guard, the guarded download client, the ingestor and the identifier options.</summary>
internal static class IngestionServices
{
    /// <summary>Adds the services; tests replace <see cref="IHostResolver"/> and <see cref="IEgressConnector"/> first.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services, GatewaySettings settings, string urls)
    {
        services.TryAddSingleton<IHostResolver>(SystemHostResolver.Instance);
        services.TryAddSingleton<IEgressConnector>(SocketEgressConnector.Instance);
        services.AddSingleton(_ => CreatePolicy(settings, urls));
        services.AddSingleton(sp => new EgressGuard(sp.GetRequiredService<EgressPolicy>(), sp.GetRequiredService<IHostResolver>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new GuardedDownloadClient(GuardedHttpClientFactory.Create(sp.GetRequiredService<EgressGuard>(), sp.GetRequiredService<IEgressConnector>())));
        services.AddSingleton(_ => IngestionOptions.FromSettings(
            settings.RemoteFileMaxBytes / (double)IngestionOptions.BytesPerMiB,
            settings.RemoteDownloadMaxRetries,
            settings.RemoteDownloadInitialRetryDelay.TotalSeconds,
            settings.RemoteDownloadMaxRetryTime.TotalSeconds,
            settings.Base64MaxBytes / (double)IngestionOptions.BytesPerMiB,
            settings.VideoMaxBytes / (double)IngestionOptions.BytesPerMiB,
            settings.MaxInputImagesPerRequest));
        services.AddSingleton(sp => new RemoteDownloader(
            sp.GetRequiredService<EgressGuard>(), sp.GetRequiredService<GuardedDownloadClient>().Invoker, sp.GetRequiredService<IngestionOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AttachmentIngestor(
            sp.GetRequiredService<EgressGuard>(), sp.GetRequiredService<RemoteDownloader>(), sp.GetRequiredService<IngestionOptions>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AotPipe.Ingestion")));
        services.AddSingleton(_ => CreateIdentifierOptions(settings));
        return services;
    }

    /// <summary>The egress policy from settings; the gateway's own listen addresses are blocked. Throws
    /// <see cref="SettingsException"/> naming <paramref name="urlsSource"/> for a listen URL Kestrel would not bind as written.</summary>
    public static EgressPolicy CreatePolicy(GatewaySettings settings, string urls, string urlsSource = "--urls") => new(new EgressOptions
    {
        EnableSsrfProtection = settings.EnableSsrfProtection,
        AllowInsecureHttp = settings.AllowInsecureHttp,
        AllowInsecureHttpHosts = settings.AllowInsecureHttpHosts,
        ListenEndpoints = ParseListenEndpoints(urls, urlsSource),
        ConnectTimeout = settings.ConnectTimeout,
    });

    /// <summary>The identifier options from settings.</summary>
    public static IdentifierOptions CreateIdentifierOptions(GatewaySettings settings)
    {
        IdentifierOptions.TryParseEndUserIdSource(settings.EndUserIdSource, out var source);
        return new IdentifierOptions(
            settings.SendEndUserId, source, settings.SendCacheSessionId, settings.SendSessionId, settings.SendChatId, settings.SendMessageId, settings.WebUiSecretKey);
    }

    /// <summary>The gateway's own addresses as Kestrel binds them (the egress guard refuses to call itself).</summary>
    private static List<IPEndPoint> ParseListenEndpoints(string urls, string urlsSource)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var listen in ListenAddresses.Parse(urls, urlsSource))
        {
            if (listen.Address is { } address)
            {
                endpoints.Add(new IPEndPoint(address, listen.Port));
            }
            else if (listen.IsLoopback)
            {
                endpoints.Add(new IPEndPoint(IPAddress.Loopback, listen.Port));
                endpoints.Add(new IPEndPoint(IPAddress.IPv6Loopback, listen.Port));
            }
            else
            {
                endpoints.Add(new IPEndPoint(IPAddress.Any, listen.Port));
            }
        }

        return endpoints;
    }
}
