using System.Net;
using System.Net.Sockets;

namespace AotPipe.Security.Egress;

/// <summary>The production connector: a plain TCP socket to exactly the validated endpoint.</summary>
internal sealed class SocketEgressConnector : IEgressConnector
{
    /// <summary>The shared instance.</summary>
    public static SocketEgressConnector Instance { get; } = new();

    /// <inheritdoc />
    public async ValueTask<Stream> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
