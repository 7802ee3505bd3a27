using System.Net;
using System.Net.Sockets;

namespace AotPipe.Security.Egress;

/// <summary>Resolves through the operating system (<see cref="Dns.GetHostAddressesAsync(string, AddressFamily, CancellationToken)"/>).</summary>
/// <remarks>The guard bounds every lookup by <see cref="EgressOptions.DnsTimeout"/>; cancellation of an OS lookup is best-effort, the guard stops waiting regardless.</remarks>
internal sealed class SystemHostResolver : IHostResolver
{
    /// <summary>The shared instance.</summary>
    public static SystemHostResolver Instance { get; } = new();

    /// <inheritdoc />
    public async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        await Dns.GetHostAddressesAsync(host, AddressFamily.Unspecified, cancellationToken);
}
