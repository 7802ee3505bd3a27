namespace AotPipe.Upstream.Raw;

/// <summary>Bounds of the raw HTTP/1.1 upstream reader.</summary>
internal static class RawHttpLimits
{
    /// <summary>Largest response head (status line and header fields): 64 KiB, as the HttpClient path allows
    /// (<c>MaxResponseHeadersLength = 64</c>).</summary>
    public const int MaxResponseHeaderBytes = 64 * 1024;
}
