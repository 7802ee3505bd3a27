using System.Net;

namespace AotPipe.Security.Egress;

/// <summary>The one place the egress guard resolves names; tests substitute a fake so no test uses real DNS.</summary>
internal interface IHostResolver
{
    /// <summary>Resolves <paramref name="host"/> (an IDNA/ASCII name without a trailing dot) to every A and AAAA answer.</summary>
    public ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
