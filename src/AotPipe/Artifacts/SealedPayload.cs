namespace AotPipe.Artifacts;

/// <summary>A stored payload as <see cref="ArtifactPayloadCodec.Encode"/> made it, and whether it is encrypted.</summary>
internal readonly record struct SealedPayload(string Payload, bool IsEncrypted);
