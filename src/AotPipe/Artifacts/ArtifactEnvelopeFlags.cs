namespace AotPipe.Artifacts;

/// <summary>The flags byte of an <c>enc_v: 2</c> envelope (DESIGN.md section 4); never both bits.</summary>
[Flags]
internal enum ArtifactEnvelopeFlags : byte
{
    /// <summary>The sealed body is the item JSON itself.</summary>
    None = 0,

    /// <summary>Bit 0: the sealed body is an LZ4 frame of the item JSON.</summary>
    Lz4Frame = 1,

    /// <summary>Bit 1: the sealed body is a Zstandard frame of the item JSON.</summary>
    ZstdFrame = 2,
}
