namespace AotPipe.Security.Auth;

/// <summary>The authenticated tenant of a request (the inbound key's name), set by the auth middleware.</summary>
public interface ITenantFeature
{
    /// <summary>The tenant name.</summary>
    public string Tenant { get; }
}
