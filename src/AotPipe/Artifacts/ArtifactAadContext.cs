namespace AotPipe.Artifacts;

/// <summary>
/// The row context bound into an artifact's AES-GCM additional data, so that a ciphertext copied to another row,
/// chat, message, item type or scope no longer opens (SECURITY.md 2.4, DESIGN.md section 4).
/// </summary>
/// <remarks>Null fields are encoded as empty strings. Rebuild the context from the row's own columns on read.</remarks>
internal readonly struct ArtifactAadContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="tableName">The artifact table name.</param>
    /// <param name="rowId">The artifact id (20-character ULID).</param>
    /// <param name="chatId">The chat id.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="itemType">The item type (for example <c>reasoning</c>).</param>
    /// <param name="scope">The <c>tenant/user</c> scope.</param>
    public ArtifactAadContext(string tableName, string rowId, string chatId, string messageId, string itemType, string scope)
    {
        TableName = tableName;
        RowId = rowId;
        ChatId = chatId;
        MessageId = messageId;
        ItemType = itemType;
        Scope = scope;
    }

    /// <summary>The artifact table name.</summary>
    public string TableName { get; }

    /// <summary>The artifact id.</summary>
    public string RowId { get; }

    /// <summary>The chat id.</summary>
    public string ChatId { get; }

    /// <summary>The message id.</summary>
    public string MessageId { get; }

    /// <summary>The item type.</summary>
    public string ItemType { get; }

    /// <summary>The <c>tenant/user</c> scope.</summary>
    public string Scope { get; }
}
