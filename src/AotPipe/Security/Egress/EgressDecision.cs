using System.Net;

namespace AotPipe.Security.Egress;

/// <summary>The verdict of <see cref="EgressGuard"/> on one URL or endpoint.</summary>
/// <param name="IsAllowed">Whether the target may be contacted.</param>
/// <param name="Reason">A stable short reason when blocked (<see cref="EgressReasons"/>), else <see langword="null"/>.</param>
/// <param name="Detail">Extra context for logs when blocked (for example the deny range), never URL content.</param>
/// <param name="Addresses">The validated addresses to connect to when allowed; empty when blocked.</param>
/// <param name="Target">The parsed URL to request when allowed (full-width forms mapped to ASCII); <see langword="null"/> for endpoint checks and blocks.</param>
internal readonly record struct EgressDecision(bool IsAllowed, string? Reason, string? Detail, IReadOnlyList<IPAddress> Addresses, Uri? Target)
{
    /// <summary>An allowed verdict with the addresses that passed every rule.</summary>
    public static EgressDecision Allow(IReadOnlyList<IPAddress> addresses, Uri? target) => new(true, null, null, addresses, target);

    /// <summary>A blocked verdict.</summary>
    public static EgressDecision Block(string reason, string? detail = null) => new(false, reason, detail, [], null);
}
