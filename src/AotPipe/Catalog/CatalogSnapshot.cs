namespace AotPipe.Catalog;

/// <summary>One serialized catalog in the OpenAI list shape.</summary>
/// <param name="Json">The response body.</param>
/// <param name="IsStale">The latest refresh failed; this is the last good copy.</param>
public sealed record CatalogSnapshot(byte[] Json, bool IsStale);
