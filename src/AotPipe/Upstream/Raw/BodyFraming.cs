namespace AotPipe.Upstream.Raw;

/// <summary>How an HTTP/1.1 response body is delimited (RFC 9112 6.3).</summary>
internal enum BodyFraming
{
    /// <summary><c>Transfer-Encoding: chunked</c>.</summary>
    Chunked,

    /// <summary><c>Content-Length</c>.</summary>
    Length,

    /// <summary>Until the server closes the connection.</summary>
    Close,
}
