namespace AotPipe.Upstream;

/// <summary>
/// The settings that decide which identifiers go upstream (design section 3): <c>SEND_END_USER_ID</c>,
/// <c>END_USER_ID_SOURCE</c>, <c>SEND_CACHE_SESSION_ID</c>, <c>SEND_SESSION_ID</c>, <c>SEND_CHAT_ID</c>,
/// <c>SEND_MESSAGE_ID</c> and the <c>WEBUI_SECRET_KEY</c> that keys the cache session HMAC.
/// </summary>
/// <param name="SendEndUserId">Send <c>user</c> and <c>metadata.user_id</c>.</param>
/// <param name="EndUserIdSource">Which attribute becomes <c>user</c>.</param>
/// <param name="SendCacheSessionId">Send <c>session_id</c> = hex HMAC-SHA256(chat id).</param>
/// <param name="SendSessionId">Send the Open WebUI session id as <c>metadata.session_id</c>.</param>
/// <param name="SendChatId">Send the chat id as <c>metadata.chat_id</c>.</param>
/// <param name="SendMessageId">Send the message id as <c>metadata.message_id</c>.</param>
/// <param name="WebUiSecretKey">The HMAC key; without it no <c>session_id</c> is sent.</param>
internal sealed record IdentifierOptions(
    bool SendEndUserId = false,
    EndUserIdSource EndUserIdSource = EndUserIdSource.Id,
    bool SendCacheSessionId = true,
    bool SendSessionId = false,
    bool SendChatId = false,
    bool SendMessageId = false,
    string? WebUiSecretKey = null)
{
    /// <summary>The documented defaults, without a secret key.</summary>
    public static IdentifierOptions Default { get; } = new();

    /// <summary>Parses an <c>END_USER_ID_SOURCE</c> value (<c>id</c>, <c>email</c> or <c>name</c>, any case).</summary>
    public static bool TryParseEndUserIdSource(string? value, out EndUserIdSource source)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "id":
                source = EndUserIdSource.Id;
                return true;
            case "email":
                source = EndUserIdSource.Email;
                return true;
            case "name":
                source = EndUserIdSource.Name;
                return true;
            default:
                source = EndUserIdSource.Id;
                return false;
        }
    }
}
