using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AotPipe.Security.Egress;

namespace AotPipe.Tests.Security.Egress;

/// <summary>
/// The connector seam for tests: whatever validated endpoint the guard asks for, it records it and connects to the
/// loopback test server instead. Every real connect of every test goes through <see cref="ActualConnects"/>.
/// </summary>
internal sealed class LoopbackConnector : IEgressConnector
{
    /// <summary>Every endpoint any test connector actually connected to, process-wide.</summary>
    public static ConcurrentQueue<IPEndPoint> ActualConnects { get; } = new();

    private readonly int _serverPort;

    public LoopbackConnector(int serverPort) => _serverPort = serverPort;

    /// <summary>The validated endpoints the handler asked for, in order.</summary>
    public ConcurrentQueue<IPEndPoint> Requested { get; } = new();

    public async ValueTask<Stream> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        Requested.Enqueue(endpoint);
        var actual = new IPEndPoint(IPAddress.Loopback, _serverPort);
        if (!IPAddress.IsLoopback(actual.Address))
        {
            throw new InvalidOperationException("Tests connect to loopback only.");
        }

        ActualConnects.Enqueue(actual);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(actual, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
