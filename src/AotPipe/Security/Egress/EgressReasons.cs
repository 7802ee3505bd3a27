namespace AotPipe.Security.Egress;

/// <summary>The stable reasons the egress guard and the downloader report (printed by <c>check-url</c> as <c>block: reason</c>).</summary>
internal static class EgressReasons
{
    /// <summary>The text is not an absolute URL, or its authority cannot be parsed.</summary>
    public const string Malformed = "malformed";

    /// <summary>The scheme is neither https nor (allowlisted) http.</summary>
    public const string Scheme = "scheme";

    /// <summary>http is off, or the host is not on the http allowlist.</summary>
    public const string InsecureHttp = "insecure-http";

    /// <summary>The authority carries userinfo (<c>user@host</c>).</summary>
    public const string UserInfo = "userinfo";

    /// <summary>The authority contains a backslash.</summary>
    public const string Backslash = "backslash";

    /// <summary>The authority contains percent-encoding.</summary>
    public const string PercentEncoding = "percent-encoding";

    /// <summary>An IPv6 literal carries a zone id.</summary>
    public const string ZoneId = "zone-id";

    /// <summary>The port is not allowed (443 for https, 80 or the allowlisted port for http).</summary>
    public const string Port = "port";

    /// <summary>The host is <c>localhost</c> or below <c>.localhost</c>.</summary>
    public const string Localhost = "localhost";

    /// <summary>The host looks numeric but is no valid address, or is otherwise not a usable name.</summary>
    public const string MalformedHost = "malformed-host";

    /// <summary>An address (literal or resolved) is in the deny list.</summary>
    public const string PrivateAddress = "private-address";

    /// <summary>An address is one the gateway itself listens on.</summary>
    public const string SelfAddress = "self-address";

    /// <summary>Name resolution failed.</summary>
    public const string DnsFailure = "dns-failure";

    /// <summary>Name resolution answered no address.</summary>
    public const string DnsEmpty = "dns-empty";

    /// <summary>Name resolution took longer than its budget.</summary>
    public const string DnsTimeout = "dns-timeout";

    /// <summary>A redirect went from https to http.</summary>
    public const string RedirectDowngrade = "redirect-downgrade";

    /// <summary>More redirects than <see cref="Ingestion.RemoteDownloader.MaxRedirects"/>.</summary>
    public const string TooManyRedirects = "too-many-redirects";

    /// <summary>A redirect without a usable <c>Location</c>.</summary>
    public const string BadRedirect = "bad-redirect";

    /// <summary>The body is larger than the download limit (by <c>Content-Length</c> or by counted bytes).</summary>
    public const string TooLarge = "too-large";

    /// <summary>The download did not finish inside its deadline or retry budget.</summary>
    public const string Timeout = "timeout";

    /// <summary>The connection failed or broke, after every retry.</summary>
    public const string NetworkError = "network-error";

    /// <summary>Prefix of an unsuccessful HTTP status (<c>http-404</c>).</summary>
    public const string HttpStatusPrefix = "http-";
}
