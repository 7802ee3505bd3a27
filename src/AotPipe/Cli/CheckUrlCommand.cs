using AotPipe.Security.Egress;

namespace AotPipe.Cli;

/// <summary><c>aotpipe check-url URL</c>: runs the real egress policy on a URL, resolving names but fetching nothing.</summary>
internal static class CheckUrlCommand
{
    /// <summary>Prints <c>allow</c> (exit 0) or <c>block: &lt;reason&gt;</c> (exit 1); a missing URL is a usage error (exit 2).</summary>
    public static async Task<int> RunAsync(string? url, EgressGuard guard, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            await stdout.WriteLineAsync("usage: aotpipe check-url URL");
            return 2;
        }

        EgressDecision decision = await guard.CheckAsync(url, cancellationToken);
        await stdout.WriteLineAsync(decision.IsAllowed ? "allow" : "block: " + decision.Reason);
        return decision.IsAllowed ? 0 : 1;
    }
}
