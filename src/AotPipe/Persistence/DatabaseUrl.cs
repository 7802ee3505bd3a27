using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace AotPipe.Persistence;

/// <summary>
/// Turns <c>DATABASE_URL</c> into an Npgsql connection string. Accepts Open WebUI's URL form
/// <c>postgresql://user:pass@host:port/db?sslmode=require</c> (also <c>postgres://</c> and SQLAlchemy's
/// <c>postgresql+driver://</c>) or an Npgsql keyword string. Error messages never contain the password.
/// </summary>
internal static class DatabaseUrl
{
    /// <summary>PostgreSQL's default port.</summary>
    public const int DefaultPort = 5432;

    /// <summary>Parses <paramref name="databaseUrl"/>; on failure <paramref name="error"/> names DATABASE_URL.</summary>
    public static bool TryParse(string databaseUrl, [NotNullWhen(true)] out NpgsqlConnectionStringBuilder? builder, [NotNullWhen(false)] out string? error)
    {
        builder = null;
        var value = databaseUrl.Trim();
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            try
            {
                builder = new NpgsqlConnectionStringBuilder(value);
                error = null;
                return true;
            }
            catch (ArgumentException)
            {
                error = "DATABASE_URL is neither a postgresql:// URL nor a valid Npgsql connection string.";
                return false;
            }
        }

        var scheme = value[..schemeEnd].ToLowerInvariant();
        var plus = scheme.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            scheme = scheme[..plus];
        }

        if (scheme is not ("postgresql" or "postgres"))
        {
            error = $"DATABASE_URL has scheme '{scheme}'; expected postgresql:// or postgres://.";
            return false;
        }

        // libpq allows an empty host (postgresql://user@/db?host=/socket/dir); Uri does not, so a placeholder stands in.
        var rest = value[(schemeEnd + 3)..];
        var authorityEnd = rest.IndexOfAny(['/', '?']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var hostMissing = authority.Length == 0 || authority.EndsWith('@');
        if (hostMissing)
        {
            rest = authority + "localhost" + (authorityEnd < 0 ? string.Empty : rest[authorityEnd..]);
        }

        if (!Uri.TryCreate("postgresql://" + rest, UriKind.Absolute, out var uri))
        {
            error = "DATABASE_URL is not a valid URL.";
            return false;
        }

        builder = new NpgsqlConnectionStringBuilder { Host = "localhost" };
        if (!hostMissing)
        {
            builder.Host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : Uri.UnescapeDataString(uri.Host);
        }

        builder.Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        return TryApplyQuery(builder, uri.Query, out error);
    }

    private static bool TryApplyQuery(NpgsqlConnectionStringBuilder builder, string query, out string? error)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = Uri.UnescapeDataString(eq < 0 ? string.Empty : pair[(eq + 1)..].Replace('+', ' '));
            switch (key)
            {
                case "sslmode":
                    if (!TryParseSslMode(value, out var mode))
                    {
                        error = $"DATABASE_URL has an unknown sslmode '{value}'.";
                        return false;
                    }

                    builder.SslMode = mode;
                    break;
                case "host":
                    // libpq form for Unix sockets: postgresql://user@/db?host=/var/run/postgresql
                    builder.Host = value;
                    break;
                case "port" when int.TryParse(value, out var port):
                    builder.Port = port;
                    break;
                case "connect_timeout" when int.TryParse(value, out var seconds):
                    builder.Timeout = seconds;
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "sslrootcert":
                    builder.RootCertificate = value;
                    break;
                case "sslcert":
                    builder.SslCertificate = value;
                    break;
                case "sslkey":
                    builder.SslKey = value;
                    break;
                case "target_session_attrs":
                    builder["Target Session Attributes"] = value;
                    break;
                case "options":
                    builder.Options = value;
                    break;
                default:
                    error = $"DATABASE_URL has an unsupported query parameter '{key}'.";
                    return false;
            }
        }

        error = null;
        return true;
    }

    private static bool TryParseSslMode(string value, out SslMode mode)
    {
        switch (value.ToLowerInvariant())
        {
            case "disable": mode = SslMode.Disable; return true;
            case "allow": mode = SslMode.Allow; return true;
            case "prefer": mode = SslMode.Prefer; return true;
            case "require": mode = SslMode.Require; return true;
            case "verify-ca": mode = SslMode.VerifyCA; return true;
            case "verify-full": mode = SslMode.VerifyFull; return true;
            default: mode = default; return false;
        }
    }
}
