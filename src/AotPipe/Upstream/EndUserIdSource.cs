namespace AotPipe.Upstream;

/// <summary>Which caller attribute <c>SEND_END_USER_ID</c> sends as the upstream <c>user</c> (<c>END_USER_ID_SOURCE</c>).</summary>
internal enum EndUserIdSource
{
    /// <summary>The user id (the default).</summary>
    Id,

    /// <summary>The user's e-mail address, falling back to the id.</summary>
    Email,

    /// <summary>The user's display name, falling back to the id.</summary>
    Name,
}
