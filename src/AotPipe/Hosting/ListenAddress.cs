using System.Net;

namespace AotPipe.Hosting;

/// <summary>One listen URL as Kestrel binds it.</summary>
/// <param name="Address">The one address bound, or null when Kestrel binds more than one: both loopbacks for
/// <c>localhost</c>, every interface for a wildcard or any other host name.</param>
/// <param name="Port">The TCP port (0: one the system picks).</param>
/// <param name="IsLoopback">Whether only this host can reach it.</param>
public readonly record struct ListenAddress(IPAddress? Address, int Port, bool IsLoopback)
{
    /// <summary>Whether Kestrel binds every interface for it.</summary>
    public bool IsWildcard => Address is null && !IsLoopback;
}
