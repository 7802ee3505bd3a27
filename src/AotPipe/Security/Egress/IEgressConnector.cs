using System.Net;

namespace AotPipe.Security.Egress;

/// <summary>Opens the TCP connection to an address the guard validated; tests map it to a loopback server and record the request.</summary>
internal interface IEgressConnector
{
    /// <summary>Connects to <paramref name="endpoint"/>, which has passed every egress rule, and returns the raw stream.</summary>
    public ValueTask<Stream> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken);
}
