using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace AotPipe.Security.Egress;

/// <summary>
/// The static part of the egress policy (SECURITY.md §1.8): the parsed http allowlist, the address rules and the
/// gateway's own addresses. Built once from <see cref="EgressOptions"/>; thread-safe.
/// </summary>
internal sealed class EgressPolicy
{
    /// <summary>The only port https may use (DESIGN.md §6).</summary>
    public const int HttpsPort = 443;

    /// <summary>The port an http allowlist entry without a port allows.</summary>
    public const int HttpDefaultPort = 80;

    private readonly HashSet<string> _httpHostPorts;
    private readonly HashSet<string> _httpHosts;
    private readonly HashSet<IPAddress> _selfAddresses;

    /// <summary>Builds the policy; throws <see cref="ArgumentException"/> for an invalid allowlist entry (validate first with <see cref="TryParseHostEntry"/>).</summary>
    public EgressPolicy(EgressOptions options)
    {
        Options = options;
        _httpHostPorts = new HashSet<string>(StringComparer.Ordinal);
        _httpHosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (string entry in options.AllowInsecureHttpHosts)
        {
            if (!TryParseHostEntry(entry, out string host, out int port))
            {
                throw new ArgumentException("ALLOW_INSECURE_HTTP_HOSTS has an invalid entry.", nameof(options));
            }

            _httpHostPorts.Add(Key(host, port));
            _httpHosts.Add(host);
        }

        _selfAddresses = [];
        foreach (IPEndPoint endpoint in options.ListenEndpoints)
        {
            if (endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                // A wildcard listener answers on every interface address, so each of them is "self".
                foreach (IPAddress local in LocalInterfaceAddresses())
                {
                    _selfAddresses.Add(Normalize(local));
                }
            }
            else
            {
                _selfAddresses.Add(Normalize(endpoint.Address));
            }
        }
    }

    /// <summary>The options this policy was built from.</summary>
    public EgressOptions Options { get; }

    /// <summary>
    /// Parses one <c>ALLOW_INSECURE_HTTP_HOSTS</c> entry: <c>host</c>, <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c>.
    /// The host comes back lower-case without one trailing dot; a missing port means <see cref="HttpDefaultPort"/>.
    /// </summary>
    public static bool TryParseHostEntry(string entry, out string host, out int port)
    {
        host = "";
        port = HttpDefaultPort;
        ReadOnlySpan<char> span = entry.AsSpan().Trim();
        ReadOnlySpan<char> hostSpan;
        ReadOnlySpan<char> portSpan = default;
        IPAddress? v6 = null;
        if (span.StartsWith('['))
        {
            int close = span.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            hostSpan = span[1..close];
            ReadOnlySpan<char> rest = span[(close + 1)..];
            if (!rest.IsEmpty)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                portSpan = rest[1..];
            }

            if (!IPAddress.TryParse(hostSpan, out v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || hostSpan.Contains('%'))
            {
                return false;
            }
        }
        else
        {
            int colon = span.IndexOf(':');
            if (colon >= 0)
            {
                hostSpan = span[..colon];
                portSpan = span[(colon + 1)..];
            }
            else
            {
                hostSpan = span;
            }
        }

        if (hostSpan.EndsWith('.'))
        {
            hostSpan = hostSpan[..^1];
        }

        if (hostSpan.IsEmpty || hostSpan.ContainsAny('/', '@', '\\') || hostSpan.Contains('%') || hostSpan.ContainsAny(' ', '\t'))
        {
            return false;
        }

        if (!portSpan.IsEmpty || (span.Length > 0 && span[^1] == ':'))
        {
            if (!int.TryParse(portSpan, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }
        }

        // IPv6 entries are compared in the canonical text form Uri.IdnHost also produces.
        host = v6 is not null ? v6.ToString() : hostSpan.ToString().ToLowerInvariant();
        return true;
    }

    /// <summary>Whether <paramref name="host"/> (lower-case, no trailing dot, IPv6 without brackets) appears on the http allowlist at all.</summary>
    public bool IsHttpHostListed(string host) => Options.AllowInsecureHttp && _httpHosts.Contains(host);

    /// <summary>Whether <c>http://host:port</c> is allowed by <c>ALLOW_INSECURE_HTTP</c> and its allowlist.</summary>
    public bool IsHttpAllowed(string host, int port) => Options.AllowInsecureHttp && _httpHostPorts.Contains(Key(host, port));

    /// <summary>
    /// Judges one address against the deny list and the gateway's own addresses. Returns <see langword="null"/> when it may be
    /// reached, else the reason (<see cref="EgressReasons.PrivateAddress"/> or <see cref="EgressReasons.SelfAddress"/>) and the range label.
    /// </summary>
    public (string Reason, string Detail)? ClassifyAddress(IPAddress address)
    {
        if (!Options.EnableSsrfProtection)
        {
            return null;
        }

        if (IpDenyList.Classify(address) is { } label)
        {
            return (EgressReasons.PrivateAddress, label);
        }

        if (_selfAddresses.Count > 0 && _selfAddresses.Contains(Normalize(address)))
        {
            return (EgressReasons.SelfAddress, "listen-address");
        }

        return null;
    }

    private static string Key(string host, int port) => host + "|" + port.ToString(CultureInfo.InvariantCulture);

    private static IPAddress Normalize(IPAddress address)
    {
        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            address = new IPAddress(bytes);
        }

        return address;
    }

    private static IEnumerable<IPAddress> LocalInterfaceAddresses()
    {
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
            {
                yield return unicast.Address;
            }
        }
    }
}
