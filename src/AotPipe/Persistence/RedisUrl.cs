using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using StackExchange.Redis;

namespace AotPipe.Persistence;

/// <summary>
/// Turns <c>REDIS_URL</c> into StackExchange.Redis options. Accepts <c>redis://[[user]:password@]host[:port][/db]</c>
/// (<c>rediss://</c> for TLS) or a plain StackExchange configuration string. Error messages never contain the password.
/// </summary>
internal static class RedisUrl
{
    /// <summary>Redis's default port.</summary>
    public const int DefaultPort = 6379;

    /// <summary>Parses <paramref name="redisUrl"/>; on failure <paramref name="error"/> names REDIS_URL.</summary>
    public static bool TryParse(string redisUrl, [NotNullWhen(true)] out ConfigurationOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        var value = redisUrl.Trim();
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            try
            {
                options = ConfigurationOptions.Parse(value);
                error = options.EndPoints.Count == 0 ? "REDIS_URL names no endpoint." : null;
                return error is null;
            }
            catch (ArgumentException)
            {
                error = "REDIS_URL is neither a redis:// URL nor a valid StackExchange.Redis configuration string.";
                return false;
            }
        }

        var scheme = value[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("redis" or "rediss"))
        {
            error = "REDIS_URL must start with redis:// or rediss://.";
            return false;
        }

        var rest = value[(schemeEnd + 3)..];
        string? user = null;
        string? password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var credentials = rest[..at];
            rest = rest[(at + 1)..];
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            user = colon < 0 ? null : Uri.UnescapeDataString(credentials[..colon]);
            password = Uri.UnescapeDataString(colon < 0 ? credentials : credentials[(colon + 1)..]);
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hostPort = slash < 0 ? rest : rest[..slash];
        var database = slash < 0 ? string.Empty : rest[(slash + 1)..];
        var query = database.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            database = database[..query];
        }

        if (!TrySplitHostPort(hostPort, out var host, out var port))
        {
            error = "REDIS_URL has no valid host[:port].";
            return false;
        }

        var db = 0;
        if (database.Length > 0 && (!int.TryParse(database, NumberStyles.None, CultureInfo.InvariantCulture, out db) || db > 15_000))
        {
            error = "REDIS_URL has an invalid database number.";
            return false;
        }

        options = new ConfigurationOptions
        {
            User = string.IsNullOrEmpty(user) ? null : user,
            Password = string.IsNullOrEmpty(password) ? null : password,
            DefaultDatabase = db,
            Ssl = scheme == "rediss",
        };
        options.EndPoints.Add(host, port);
        error = null;
        return true;
    }

    private static bool TrySplitHostPort(string hostPort, out string host, out int port)
    {
        port = DefaultPort;
        host = hostPort;
        if (hostPort.StartsWith('['))
        {
            // IPv6 literal: [::1]:6379
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = hostPort[1..close];
            var tail = hostPort[(close + 1)..];
            return tail.Length == 0 || (tail[0] == ':' && TryPort(tail[1..], out port));
        }

        var colon = hostPort.LastIndexOf(':');
        if (colon >= 0)
        {
            host = hostPort[..colon];
            if (!TryPort(hostPort[(colon + 1)..], out port))
            {
                return false;
            }
        }

        return host.Length > 0;
    }

    private static bool TryPort(string text, out int port)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
}
