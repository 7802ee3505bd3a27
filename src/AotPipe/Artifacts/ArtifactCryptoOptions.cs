namespace AotPipe.Artifacts;

/// <summary>Settings that decide how artifacts are encoded for storage.</summary>
/// <param name="Key"><c>ARTIFACT_ENCRYPTION_KEY</c> (already resolved from <c>encrypted:</c>); null or blank = store plain JSON.</param>
/// <param name="PreviousKey"><c>ARTIFACT_ENCRYPTION_KEY_PREVIOUS</c>: still readable, never written.</param>
/// <param name="EncryptAll"><c>ENCRYPT_ALL</c>: false encrypts only <c>reasoning</c> items.</param>
/// <param name="Compression"><c>ARTIFACT_COMPRESSION</c> (<see cref="ArtifactCompression.None"/> when <c>ENABLE_LZ4_COMPRESSION=false</c>).</param>
/// <param name="MinCompressBytes"><c>MIN_COMPRESS_BYTES</c>: payloads shorter than this are not compressed.</param>
internal sealed record ArtifactCryptoOptions(
    string? Key,
    string? PreviousKey,
    bool EncryptAll,
    ArtifactCompression Compression,
    int MinCompressBytes);
