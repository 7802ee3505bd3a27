namespace AotPipe.Upstream.Raw;

/// <summary>Result of <see cref="RawResponseHead.TryParse"/>.</summary>
internal enum RawHeadStatus
{
    /// <summary>The empty line that ends the head has not arrived yet.</summary>
    Incomplete,

    /// <summary>A head was parsed.</summary>
    Complete,

    /// <summary>The head is not valid HTTP/1.x.</summary>
    Malformed,

    /// <summary>The head is larger than <see cref="RawHttpLimits.MaxResponseHeaderBytes"/>.</summary>
    TooLarge,

    /// <summary>Valid, but framed in a way this reader does not decode (a transfer coding other than chunked).</summary>
    Unsupported,
}
