namespace AotPipe.Artifacts;

/// <summary>Why a stored artifact could not be turned back into item JSON. Expected failures are values, not exceptions.</summary>
internal enum ArtifactDecodeError
{
    /// <summary>Decoded successfully.</summary>
    None = 0,

    /// <summary>The stored payload is not the expected JSON shape, or its ciphertext is not valid base64.</summary>
    MalformedPayload,

    /// <summary><c>enc_v</c> (or the envelope version byte) names a format this build does not read.</summary>
    UnsupportedVersion,

    /// <summary>The row is encrypted but no <c>ARTIFACT_ENCRYPTION_KEY</c> is configured.</summary>
    KeyMissing,

    /// <summary>The envelope's key id matches neither the current nor the previous key.</summary>
    UnknownKeyId,

    /// <summary>The envelope is shorter than its fixed header and tag.</summary>
    Truncated,

    /// <summary>The envelope names an algorithm other than AES-256-GCM (0x01).</summary>
    UnsupportedAlgorithm,

    /// <summary>The envelope's flags byte has unknown bits or both compression bits.</summary>
    InvalidFlags,

    /// <summary>Authentication failed: wrong key, tampering, or a row read under another row's context.</summary>
    AuthenticationFailed,

    /// <summary>The compressed body is not a valid LZ4 or Zstandard frame.</summary>
    DecompressionFailed,

    /// <summary>The body decompresses to more than the decompression cap (a decompression bomb).</summary>
    DecompressedTooLarge,

    /// <summary>A legacy (<c>enc_v: 1</c>) plaintext starts with a flag other than 0 (JSON) or 1 (LZ4 frame).</summary>
    InvalidLegacyFlag,

    /// <summary>The decoded bytes are not one JSON object.</summary>
    NotJsonObject,
}
