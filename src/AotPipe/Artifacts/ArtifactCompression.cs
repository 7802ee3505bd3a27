namespace AotPipe.Artifacts;

/// <summary>Compression applied to an artifact before it is sealed (<c>ARTIFACT_COMPRESSION</c>).</summary>
internal enum ArtifactCompression
{
    /// <summary>Store the JSON as it is.</summary>
    None = 0,

    /// <summary>LZ4 frame format (magic <c>04 22 4D 18</c>), the Python original's format; envelope flag bit 0.</summary>
    Lz4 = 1,

    /// <summary>Zstandard frame; envelope flag bit 1.</summary>
    Zstd = 2,
}
