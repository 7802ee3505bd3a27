using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AotPipe.Upstream;

/// <summary>
/// Rebuilds the identifiers a request sends upstream: the client's own <c>user</c>, <c>session_id</c> and
/// <c>metadata</c> are dropped, then filled from the caller identity as the <c>SEND_*</c> settings allow.
/// </summary>
internal static class UpstreamIdentifiers
{
    /// <summary>Longest <c>user</c> value OpenRouter accepts; a longer e-mail or name falls back to the id.</summary>
    public const int MaxUserLength = 128;

    /// <summary>Most key/value pairs in upstream <c>metadata</c>.</summary>
    public const int MaxMetadataPairs = 16;

    /// <summary>Longest <c>metadata</c> key, in characters.</summary>
    public const int MaxMetadataKeyLength = 64;

    /// <summary>Longest <c>metadata</c> value, in characters.</summary>
    public const int MaxMetadataValueLength = 512;

    /// <summary>Drops the client's identifiers from <paramref name="request"/> and adds the configured ones.</summary>
    public static void Apply(JsonObject request, CallerIdentity identity, IdentifierOptions options)
    {
        request.Remove("user");
        request.Remove("session_id");
        request.Remove("metadata");

        var metadata = new JsonObject();
        if (options.SendEndUserId)
        {
            var user = SelectEndUserId(identity, options.EndUserIdSource);
            if (user is not null)
            {
                request["user"] = user;
            }

            TryAddMetadata(metadata, "user_id", identity.UserId);
        }

        if (options.SendCacheSessionId)
        {
            var sessionId = ComputeCacheSessionId(identity.ChatId, options.WebUiSecretKey);
            if (sessionId is not null)
            {
                request["session_id"] = sessionId;
            }
        }

        if (options.SendSessionId)
        {
            TryAddMetadata(metadata, "session_id", identity.SessionId);
        }

        if (options.SendChatId)
        {
            TryAddMetadata(metadata, "chat_id", identity.ChatId);
        }

        if (options.SendMessageId)
        {
            TryAddMetadata(metadata, "message_id", identity.MessageId);
        }

        if (metadata.Count > 0)
        {
            request["metadata"] = metadata;
        }
    }

    /// <summary>
    /// The <c>user</c> value for <paramref name="source"/>: the e-mail or name when present and within
    /// <see cref="MaxUserLength"/>, else the id; null when even the id is empty or too long.
    /// </summary>
    public static string? SelectEndUserId(CallerIdentity identity, EndUserIdSource source)
    {
        var candidate = source switch
        {
            EndUserIdSource.Email => identity.UserEmail,
            EndUserIdSource.Name => identity.UserName,
            _ => identity.UserId,
        };

        if (IsUsableUser(candidate))
        {
            return candidate;
        }

        return IsUsableUser(identity.UserId) ? identity.UserId : null;
    }

    /// <summary>
    /// Lower-case hex HMAC-SHA256 of the UTF-8 chat id keyed with the UTF-8 secret; null without either.
    /// </summary>
    public static string? ComputeCacheSessionId(string? chatId, string? secretKey)
    {
        if (string.IsNullOrEmpty(chatId) || string.IsNullOrEmpty(secretKey))
        {
            return null;
        }

        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(chatId));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// Adds one metadata pair when it fits OpenRouter's limits (<see cref="MaxMetadataPairs"/>,
    /// <see cref="MaxMetadataKeyLength"/>, <see cref="MaxMetadataValueLength"/>); an id is never truncated, a pair that
    /// does not fit is left out.
    /// </summary>
    public static bool TryAddMetadata(JsonObject metadata, string key, string? value)
    {
        if (string.IsNullOrEmpty(value)
            || key.Length == 0
            || key.Length > MaxMetadataKeyLength
            || value.Length > MaxMetadataValueLength
            || metadata.Count >= MaxMetadataPairs
            || metadata.ContainsKey(key))
        {
            return false;
        }

        metadata[key] = value;
        return true;
    }

    /// <summary>The body's <c>metadata.chat_id</c>, read before the metadata is rebuilt; null when absent.</summary>
    public static string? ReadBodyChatId(JsonObject body) =>
        body["metadata"] is JsonObject metadata ? AsString(metadata["chat_id"]) : null;

    /// <summary>The body's <c>user</c> string; null when absent.</summary>
    public static string? ReadBodyUser(JsonObject body) => AsString(body["user"]);

    private static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text) && !string.IsNullOrEmpty(text) ? text : null;

    private static bool IsUsableUser(string? value) => !string.IsNullOrEmpty(value) && value.Length <= MaxUserLength;
}
