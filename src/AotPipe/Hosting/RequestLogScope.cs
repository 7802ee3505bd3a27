using System.Collections;

namespace AotPipe.Hosting;

/// <summary>
/// The log scope of one <c>/v1/*</c> request: request id, user id and chat id, nothing else (no secrets, no payload).
/// </summary>
/// <remarks>
/// A list of key/value pairs is what the console formatters read without reflection: the JSON formatter writes each pair
/// as a property, the simple formatter writes <see cref="ToString"/>.
/// </remarks>
internal sealed class RequestLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>Scope key of the request id.</summary>
    public const string RequestIdKey = "RequestId";

    /// <summary>Scope key of the user id.</summary>
    public const string UserIdKey = "UserId";

    /// <summary>Scope key of the chat id.</summary>
    public const string ChatIdKey = "ChatId";

    /// <summary>Creates the scope.</summary>
    public RequestLogScope(string requestId, string? userId, string? chatId)
    {
        RequestId = requestId;
        UserId = userId;
        ChatId = chatId;
    }

    /// <summary>The gateway's request id.</summary>
    public string RequestId { get; }

    /// <summary>The user id from <c>X-OpenWebUI-User-Id</c>, or null.</summary>
    public string? UserId { get; }

    /// <summary>The chat id from <c>X-OpenWebUI-Chat-Id</c>, or null.</summary>
    public string? ChatId { get; }

    /// <inheritdoc />
    public int Count => 3;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(RequestIdKey, RequestId),
        1 => new(UserIdKey, UserId),
        2 => new(ChatIdKey, ChatId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The simple console's rendering: <c>RequestId:… UserId:… ChatId:…</c>.</summary>
    public override string ToString() => $"{RequestIdKey}:{RequestId} {UserIdKey}:{UserId ?? "-"} {ChatIdKey}:{ChatId ?? "-"}";
}
