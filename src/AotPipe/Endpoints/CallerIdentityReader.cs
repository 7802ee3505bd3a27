using System.Text.Json.Nodes;
using AotPipe.Security.Auth;
using AotPipe.Upstream;
using Microsoft.AspNetCore.Http;

namespace AotPipe.Endpoints;

/// <summary>Builds the request's <see cref="CallerIdentity"/> from Open WebUI's forwarded headers (DESIGN.md section 2).</summary>
/// <remarks>Built once per request and passed down explicitly: no statics, no ambient state, so concurrent requests
/// cannot see each other's identity.</remarks>
public static class CallerIdentityReader
{
    /// <summary>Tenant used when no inbound keys are configured.</summary>
    public const string DefaultTenant = "default";

    /// <summary>User id when neither the header nor the body names one.</summary>
    public const string AnonymousUser = "anonymous";

    /// <summary>Reads the identity; the body is read before its identifiers are rebuilt.</summary>
    /// <remarks>The tenant is the inbound key's name from <see cref="ITenantFeature"/> (set by the auth middleware),
    /// else <paramref name="tenant"/>, else <see cref="DefaultTenant"/>.</remarks>
    internal static CallerIdentity Read(HttpContext context, JsonObject body, string? tenant = null)
    {
        tenant = context.Features.Get<ITenantFeature>()?.Tenant ?? tenant ?? DefaultTenant;
        var headers = context.Request.Headers;
        var requestId = context.TraceIdentifier;
        var userId = NonEmpty(headers["X-OpenWebUI-User-Id"]) ?? UpstreamIdentifiers.ReadBodyUser(body) ?? AnonymousUser;
        var name = NonEmpty(headers["X-OpenWebUI-User-Name"]);
        if (name is not null)
        {
            // Open WebUI percent-encodes the display name so that non-ASCII names survive header rules.
            name = Uri.UnescapeDataString(name);
        }

        return new CallerIdentity(
            Tenant: tenant,
            UserId: userId,
            UserEmail: NonEmpty(headers["X-OpenWebUI-User-Email"]),
            UserName: name,
            UserRole: NonEmpty(headers["X-OpenWebUI-User-Role"]),
            ChatId: NonEmpty(headers["X-OpenWebUI-Chat-Id"]) ?? UpstreamIdentifiers.ReadBodyChatId(body),
            MessageId: NonEmpty(headers["X-OpenWebUI-Message-Id"]) ?? requestId,
            SessionId: NonEmpty(headers["X-OpenWebUI-Session-Id"]),
            RequestId: requestId);
    }

    private static string? NonEmpty(Microsoft.Extensions.Primitives.StringValues value)
    {
        var text = value.ToString().Trim();
        return text.Length == 0 ? null : text;
    }
}
