using System.Net;

namespace AotPipe.Security.Egress;

/// <summary>Settings of the egress guard, bound from <c>ENABLE_SSRF_PROTECTION</c>, <c>ALLOW_INSECURE_HTTP*</c> and <c>HTTP_CONNECT_TIMEOUT_SECONDS</c>.</summary>
internal sealed record EgressOptions
{
    /// <summary>Name resolution budget (DESIGN.md §6): over it a URL is blocked with <c>dns-timeout</c>.</summary>
    public static readonly TimeSpan DefaultDnsTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Default connect timeout, the default of <c>HTTP_CONNECT_TIMEOUT_SECONDS</c>.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary><c>ENABLE_SSRF_PROTECTION</c>: the name and address rules; scheme and URL-shape rules always apply.</summary>
    public bool EnableSsrfProtection { get; init; } = true;

    /// <summary><c>ALLOW_INSECURE_HTTP</c>: permits <c>http://</c> for the hosts in <see cref="AllowInsecureHttpHosts"/>.</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary><c>ALLOW_INSECURE_HTTP_HOSTS</c> entries: <c>host</c> (port 80), <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c>.</summary>
    public IReadOnlyList<string> AllowInsecureHttpHosts { get; init; } = [];

    /// <summary>The gateway's own listen endpoints; their addresses are never a download target.</summary>
    public IReadOnlyList<IPEndPoint> ListenEndpoints { get; init; } = [];

    /// <summary>TCP connect timeout for downloads (<c>HTTP_CONNECT_TIMEOUT_SECONDS</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>Name resolution budget; see <see cref="DefaultDnsTimeout"/>.</summary>
    public TimeSpan DnsTimeout { get; init; } = DefaultDnsTimeout;

    /// <summary>Splits a comma-separated <c>ALLOW_INSECURE_HTTP_HOSTS</c> value into trimmed, non-empty entries.</summary>
    public static IReadOnlyList<string> SplitHostList(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
