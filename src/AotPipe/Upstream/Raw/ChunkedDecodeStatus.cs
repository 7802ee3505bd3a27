namespace AotPipe.Upstream.Raw;

/// <summary>What <see cref="ChunkedBodyDecoder.Decode"/> reached.</summary>
internal enum ChunkedDecodeStatus
{
    /// <summary>All input was used; more is needed.</summary>
    NeedMore,

    /// <summary>The last chunk and the trailer section ended; the body is complete.</summary>
    Done,

    /// <summary>The framing is invalid or over a limit; the body must be abandoned.</summary>
    Malformed,
}
