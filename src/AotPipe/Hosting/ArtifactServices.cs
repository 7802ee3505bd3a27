using AotPipe.Artifacts;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>Registers the artifact store (PostgreSQL or the embedded default), the payload codec and replay.</summary>
internal static class ArtifactServices
{
    /// <summary>Creates the store from settings; a bad <c>PIPE_ID</c> or <c>DATABASE_URL</c> stops start-up (exit 2).</summary>
    public static IServiceCollection AddArtifacts(this IServiceCollection services, GatewaySettings settings)
    {
        var options = new ArtifactStoreOptions
        {
            DataDirectory = settings.DataDirectory,
            BatchSize = settings.DbBatchSize,
            BatchWindow = settings.DbBatchWindow,
        };

        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("AotPipe.Persistence");
            if (!ArtifactStoreFactory.TryCreate(settings.DatabaseUrl, settings.PipeId, settings.ArtifactKey, options, sp.GetRequiredService<TimeProvider>(), logger, out var store, out var error))
            {
                // The factory's message names the setting at fault and never contains a password.
                throw new SettingsException(SettingNameIn(error), error ?? "invalid artifact store settings.");
            }

            if (settings.RedisUrl is not { Length: > 0 } redisUrl)
            {
                return store!;
            }

            // StartupChecks refuses REDIS_URL earlier; the check here is what lets the trimmer drop StackExchange.Redis.
            return RedisSupport.IsSupported ? RedisCache(store!, redisUrl, settings, sp) : throw new SettingsException("REDIS_URL", RedisSupport.UnsupportedMessage);
        });
        services.AddSingleton(_ => new ArtifactPayloadCodec(new ArtifactCryptoOptions(
            settings.ArtifactKey,
            settings.ArtifactKeyPrevious,
            settings.EncryptAll,
            settings.ArtifactCompression switch { "zstd" => ArtifactCompression.Zstd, "none" => ArtifactCompression.None, _ => ArtifactCompression.Lz4 },
            settings.MinCompressBytes)));
        services.AddSingleton(sp => new ArtifactSealer(sp.GetRequiredService<ArtifactPayloadCodec>()));
        services.AddSingleton(sp => new ChatArtifacts(
            sp.GetRequiredService<IArtifactStore>(),
            sp.GetRequiredService<ArtifactPayloadCodec>(),
            sp.GetRequiredService<ArtifactSealer>(),
            settings,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AotPipe.Artifacts")));
        services.AddSingleton<ArtifactStoreLifetime>();
        services.AddHostedService(sp => sp.GetRequiredService<ArtifactStoreLifetime>());
        return services;
    }

    private static RedisCachedArtifactStore RedisCache(IArtifactStore store, string redisUrl, GatewaySettings settings, IServiceProvider sp)
    {
        if (!RedisUrl.TryParse(redisUrl, out var options, out var error))
        {
            throw new SettingsException("REDIS_URL", error);
        }

        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("AotPipe.Persistence.Cache");
        CacheLog.Enabled(logger, string.Join(",", options.EndPoints), (long)settings.RedisTtl.TotalSeconds);
        return new RedisCachedArtifactStore(store, options, settings.PipeId, settings.RedisTtl, sp.GetRequiredService<TimeProvider>(), logger);
    }

    private static string SettingNameIn(string? error)
    {
        foreach (var name in (ReadOnlySpan<string>)["PIPE_ID", "DATABASE_URL", "DB_BATCH_SIZE", "DB_BATCH_WINDOW_MS", "AOTPIPE_DATA_DIR"])
        {
            if (error?.Contains(name, StringComparison.Ordinal) == true)
            {
                return name;
            }
        }

        return "DATABASE_URL";
    }
}
