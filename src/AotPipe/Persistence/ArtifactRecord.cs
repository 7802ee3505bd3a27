namespace AotPipe.Persistence;

/// <summary>
/// One stored artifact row. The payload is already sealed (or deliberately plain) JSON text when it reaches the store;
/// the store never looks inside it.
/// </summary>
/// <param name="Id">Artifact id (<see cref="Artifacts.ArtifactId"/>), made before any I/O; it is the idempotency key.</param>
/// <param name="Scope"><c>&lt;tenant&gt;/&lt;user&gt;</c>; null only on legacy rows written by the original pipe.</param>
/// <param name="ChatId">Open WebUI chat id.</param>
/// <param name="MessageId">Open WebUI message id (or the request id).</param>
/// <param name="ModelId">Model id, when known.</param>
/// <param name="ItemType">Responses item type, e.g. <c>reasoning</c>.</param>
/// <param name="Payload">JSON text: the sealed envelope <c>{"ciphertext":...,"enc_v":2}</c> or the plain item.</param>
/// <param name="IsEncrypted">True when <paramref name="Payload"/> is an envelope.</param>
/// <param name="CreatedAt">Creation time, refreshed on read (retention counts from the last access).</param>
internal sealed record ArtifactRecord(
    string Id,
    string? Scope,
    string ChatId,
    string MessageId,
    string? ModelId,
    string ItemType,
    string Payload,
    bool IsEncrypted,
    DateTimeOffset CreatedAt);
