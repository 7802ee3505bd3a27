using System.Net;
using AotPipe.Configuration;
using AotPipe.Persistence;

namespace AotPipe.Hosting;

/// <summary>Refusals that must happen before the gateway listens (DESIGN.md sections 1 and 3).</summary>
public static class StartupChecks
{
    /// <summary>Throws <see cref="SettingsException"/> for a configuration that must not start.</summary>
    public static void Run(GatewaySettings settings, string urls)
    {
        Security.Auth.ApiKeyParser.Parse(settings.ApiKeys);
        if (string.IsNullOrEmpty(settings.ApiKeys) && !settings.AllowUnauthenticated && !AreAllLoopback(urls))
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

    /// <summary>Whether every listen URL binds a loopback address or <c>localhost</c>.</summary>
    public static bool AreAllLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var hostStart = url.IndexOf("://", StringComparison.Ordinal);
            var host = hostStart < 0 ? url : url[(hostStart + 3)..];
            var portAt = host.LastIndexOf(':');
            if (portAt > 0 && !host.EndsWith(']'))
            {
                host = host[..portAt];
            }

            host = host.TrimEnd('/').Trim('[', ']');
            var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
            if (!loopback)
            {
                return false;
            }
        }

        return true;
    }
}
