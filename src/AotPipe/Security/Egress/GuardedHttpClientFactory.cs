using System.Net;
using System.Net.Sockets;

namespace AotPipe.Security.Egress;

/// <summary>
/// Builds the one HTTP client downloads use: a <see cref="SocketsHttpHandler"/> whose connect callback connects only to
/// addresses the egress guard validated (SECURITY.md §1.4). No proxy, no automatic redirects, no decompression, HTTP/1.1 or 2 only.
/// </summary>
internal static class GuardedHttpClientFactory
{
    /// <summary>How long a pooled download connection lives; bounds how long a validated address is reused.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>Request option carrying the addresses the guard validated for the request's URL, so the connection is made to exactly those (no second lookup).</summary>
    public static readonly HttpRequestOptionsKey<PinnedTarget> PinnedTargetKey = new("AotPipe.Egress.PinnedTarget");

    /// <summary>Creates the invoker. Dispose it at shutdown.</summary>
    public static HttpMessageInvoker Create(EgressGuard guard, IEgressConnector connector)
    {
        var handler = new SocketsHttpHandler
        {
            // With a proxy the callback would see the proxy endpoint, not the target.
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = guard.Policy.Options.ConnectTimeout,
            PooledConnectionLifetime = PooledConnectionLifetime,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(guard, connector, context, cancellationToken),
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>Prepares a GET for <paramref name="decision"/>'s target pinned to its validated addresses; HTTP/3 is never negotiated (QUIC bypasses the callback).</summary>
    public static HttpRequestMessage CreateRequest(EgressDecision decision)
    {
        Uri target = decision.Target ?? throw new ArgumentException("Only an allowed URL decision can be requested.", nameof(decision));
        var request = new HttpRequestMessage(HttpMethod.Get, target)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Options.Set(PinnedTargetKey, new PinnedTarget(target.IdnHost, target.Port, decision.Addresses));
        return request;
    }

    private static async ValueTask<Stream> ConnectAsync(EgressGuard guard, IEgressConnector connector, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        DnsEndPoint endpoint = context.DnsEndPoint;
        IReadOnlyList<IPAddress> addresses;
        if (context.InitialRequestMessage.Options.TryGetValue(PinnedTargetKey, out PinnedTarget? pinned) && pinned.Matches(endpoint.Host, endpoint.Port))
        {
            addresses = pinned.Addresses;
        }
        else
        {
            // No pinned answer for this host: run the guard here, the check that counts (SECURITY.md §1.4).
            EgressDecision decision = await guard.CheckEndpointAsync(endpoint.Host, cancellationToken);
            if (!decision.IsAllowed)
            {
                throw new EgressBlockedException(decision.Reason!);
            }

            addresses = decision.Addresses;
        }

        Exception? last = null;
        foreach (IPAddress address in addresses)
        {
            try
            {
                return await connector.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                last = ex;
            }
        }

        throw new HttpRequestException(HttpRequestError.ConnectionError, "No validated address was reachable.", last);
    }

    /// <summary>The validated addresses of one host and port.</summary>
    /// <param name="Host">The IdnHost the addresses belong to.</param>
    /// <param name="Port">The port of the URL.</param>
    /// <param name="Addresses">Addresses that passed every rule.</param>
    internal sealed record PinnedTarget(string Host, int Port, IReadOnlyList<IPAddress> Addresses)
    {
        /// <summary>Whether a connection to <paramref name="host"/>:<paramref name="port"/> may use these addresses.</summary>
        public bool Matches(string host, int port) =>
            port == Port && Normalize(host).Equals(Normalize(Host), StringComparison.OrdinalIgnoreCase);

        private static ReadOnlySpan<char> Normalize(string host) => host.AsSpan().Trim('[').Trim(']').TrimEnd('.');
    }
}
