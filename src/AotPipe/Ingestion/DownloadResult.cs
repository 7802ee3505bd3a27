namespace AotPipe.Ingestion;

/// <summary>The outcome of one remote download.</summary>
/// <param name="IsSuccess">Whether the body was fetched within every limit.</param>
/// <param name="DataUrl">The body as <c>data:&lt;type&gt;;base64,...</c> on success.</param>
/// <param name="MediaType">The detected media type on success.</param>
/// <param name="Length">The body length in bytes on success.</param>
/// <param name="Reason">The stable failure reason (<see cref="Security.Egress.EgressReasons"/>) otherwise.</param>
internal readonly record struct DownloadResult(bool IsSuccess, string? DataUrl, string? MediaType, long Length, string? Reason)
{
    /// <summary>A failed download.</summary>
    public static DownloadResult Failure(string reason) => new(false, null, null, 0, reason);
}
