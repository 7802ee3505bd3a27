namespace AotPipe.Ingestion;

/// <summary>What ingestion tells the caller: one notice per removed attachment, for the client line <c>&gt; ⚠ attachment removed: &lt;notice&gt;</c>.</summary>
/// <param name="Notices">Short, content-free descriptions such as <c>image from 10.0.0.1: private-address</c>.</param>
internal sealed record IngestionResult(IReadOnlyList<string> Notices)
{
    /// <summary>No attachment was removed.</summary>
    public static IngestionResult Empty { get; } = new([]);

    /// <summary>Whether any attachment was removed.</summary>
    public bool HasNotices => Notices.Count > 0;
}
