using AotPipe.Configuration;
using AotPipe.Persistence;

namespace AotPipe.Hosting;

/// <summary>Refusals that must happen before the gateway listens (DESIGN.md sections 1 and 3).</summary>
public static class StartupChecks
{
    /// <summary>The name the listen URLs go by when they come from the environment.</summary>
    public const string UrlsVariable = "ASPNETCORE_URLS";

    /// <summary>Throws <see cref="SettingsException"/> for a configuration that must not start.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="urls">The listen URLs.</param>
    /// <param name="urlsSource">Where they came from, named in errors: <c>--urls</c> or <see cref="UrlsVariable"/>.</param>
    public static void Run(GatewaySettings settings, string urls, string urlsSource = "--urls")
    {
        var listen = ListenAddresses.Parse(urls, urlsSource);
        Security.Auth.ApiKeyParser.Parse(settings.ApiKeys);
        if (string.IsNullOrEmpty(settings.ApiKeys) && !settings.AllowUnauthenticated && !listen.All(static a => a.IsLoopback))
        {
            throw new SettingsException(
                "AOTPIPE_API_KEYS",
                "listening on a non-loopback address needs inbound keys; set AOTPIPE_API_KEYS or AOTPIPE_ALLOW_UNAUTHENTICATED=true.");
        }

        CheckEdition(settings, PostgreSqlSupport.IsSupported, RedisSupport.IsSupported);
    }

    /// <summary>
    /// Refuses settings that need a feature this build was published without (the lean edition): better exit 2 naming
    /// the setting than silently using the embedded store or running without the cache the operator configured.
    /// </summary>
    internal static void CheckEdition(GatewaySettings settings, bool postgreSqlSupported, bool redisSupported)
    {
        if (!postgreSqlSupported && !string.IsNullOrWhiteSpace(settings.DatabaseUrl))
        {
            throw new SettingsException("DATABASE_URL", PostgreSqlSupport.UnsupportedMessage);
        }

        if (!redisSupported && !string.IsNullOrWhiteSpace(settings.RedisUrl))
        {
            throw new SettingsException("REDIS_URL", RedisSupport.UnsupportedMessage);
        }
    }
}
