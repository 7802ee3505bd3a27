namespace AotPipe.Upstream;

/// <summary>Who is calling and about which chat, from Open WebUI's forwarded headers; one per request.</summary>
/// <param name="Tenant">Inbound key name, or <c>default</c>.</param>
/// <param name="UserId">Open WebUI user id, else the body's <c>user</c>, else <c>anonymous</c>.</param>
/// <param name="UserEmail">Forwarded e-mail.</param>
/// <param name="UserName">Forwarded (percent-decoded) name.</param>
/// <param name="UserRole">Forwarded role.</param>
/// <param name="ChatId">Chat id; without one nothing is persisted.</param>
/// <param name="MessageId">Message id, else the request id.</param>
/// <param name="SessionId">Open WebUI session id when forwarded.</param>
/// <param name="RequestId">The gateway's request id.</param>
public sealed record CallerIdentity(
    string Tenant,
    string UserId,
    string? UserEmail,
    string? UserName,
    string? UserRole,
    string? ChatId,
    string MessageId,
    string? SessionId,
    string RequestId)
{
    /// <summary>Artifact scope: <c>&lt;tenant&gt;/&lt;user&gt;</c>, never empty.</summary>
    public string Scope => Tenant + "/" + UserId;
}
