namespace AotPipe.SessionLogs;

/// <summary>
/// The identifiers of one request, unsanitised (they are written to <c>meta.json</c> and every log line as they are, and
/// sanitised only for the archive path by <see cref="SessionLogPaths"/>).
/// </summary>
/// <param name="UserId">The user id (<c>X-OpenWebUI-User-Id</c>, the body's <c>user</c>, or <c>anonymous</c>).</param>
/// <param name="SessionId">The session id, when known.</param>
/// <param name="ChatId">The chat id, when known.</param>
/// <param name="MessageId">The message id (falls back to the request id upstream of this type).</param>
/// <param name="RequestId">The gateway's request id.</param>
/// <param name="Tenant">The inbound key name when inbound keys are configured (a leading folder), else null.</param>
internal sealed record SessionLogIds(
    string? UserId,
    string? SessionId,
    string? ChatId,
    string? MessageId,
    string RequestId,
    string? Tenant = null);
