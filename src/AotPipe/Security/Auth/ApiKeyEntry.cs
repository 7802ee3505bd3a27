namespace AotPipe.Security.Auth;

/// <summary>One inbound key: the tenant name and the SHA-256 of the key (the key itself is never kept).</summary>
/// <param name="Name">Tenant name; appears in scopes, metrics labels and logs.</param>
/// <param name="KeyHash">SHA-256 of the key's UTF-8 bytes (32 bytes).</param>
internal sealed record ApiKeyEntry(string Name, byte[] KeyHash);
