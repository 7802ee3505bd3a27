using System.Text.Json.Nodes;

namespace AotPipe.Upstream;

/// <summary>
/// Rewrites a <c>/v1/responses</c> passthrough body: only the identifiers change (design section 2); every other field
/// goes upstream as the client sent it.
/// </summary>
internal static class ResponsesRequestRewriter
{
    /// <summary>Drops the client's <c>user</c>, <c>session_id</c> and <c>metadata</c> and adds the configured ones.</summary>
    public static void Rewrite(JsonObject body, CallerIdentity identity, IdentifierOptions options) =>
        UpstreamIdentifiers.Apply(body, identity, options);
}
