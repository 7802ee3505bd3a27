namespace AotPipe.Upstream;

/// <summary>
/// Who is calling and about which chat: resolved once per request from the inbound key, the Open WebUI headers and the
/// body (design section 2, "Identity, scope and identifiers").
/// </summary>
/// <param name="Tenant">The inbound key's name, or <c>default</c> when no keys are configured.</param>
/// <param name="UserId">The Open WebUI user id, else the body's <c>user</c>, else <c>anonymous</c>.</param>
/// <param name="UserEmail">The Open WebUI user e-mail, when sent.</param>
/// <param name="UserName">The Open WebUI user name (already percent-decoded), when sent.</param>
/// <param name="UserRole">The Open WebUI user role, when sent.</param>
/// <param name="ChatId">The chat id (header, else the body's <c>metadata.chat_id</c>); null means nothing is persisted.</param>
/// <param name="MessageId">The Open WebUI message id, else the request id.</param>
/// <param name="SessionId">The Open WebUI session id, when sent.</param>
/// <param name="RequestId">The gateway's own id for this request.</param>
internal sealed record CallerIdentity(
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
    /// <summary>The artifact scope <c>&lt;tenant&gt;/&lt;user&gt;</c>; never empty.</summary>
    public string Scope => Tenant + "/" + UserId;
}
