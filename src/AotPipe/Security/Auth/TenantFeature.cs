namespace AotPipe.Security.Auth;

/// <summary>The <see cref="ITenantFeature"/> stored in <c>HttpContext.Features</c>.</summary>
/// <param name="Tenant">The tenant name.</param>
internal sealed record TenantFeature(string Tenant) : ITenantFeature;
