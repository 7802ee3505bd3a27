namespace AotPipe.Streaming;

/// <summary>
/// One replayable output item (reasoning, function call and other client-side items) exactly as the upstream sent it,
/// for the artifact store.
/// </summary>
/// <param name="Type">The item <c>type</c>.</param>
/// <param name="ItemId">The item <c>id</c>, when present.</param>
/// <param name="CallId">The <c>call_id</c> of a call item, when present.</param>
/// <param name="OutputIndex">The item's <c>output_index</c> in the response (-1 when unknown).</param>
/// <param name="RawItemJson">The item object's UTF-8 JSON, byte for byte as received.</param>
internal sealed record CapturedItem(string Type, string? ItemId, string? CallId, int OutputIndex, byte[] RawItemJson)
{
    /// <summary>
    /// True for item types worth storing: everything except messages (the client holds the text) and server-side tool
    /// items (the provider ran them; replaying them is meaningless or rejected).
    /// </summary>
    public static bool IsPersistable(ReadOnlySpan<byte> type) =>
        !type.IsEmpty
        && !type.SequenceEqual("message"u8)
        && !type.SequenceEqual("web_search_call"u8)
        && !type.SequenceEqual("image_generation_call"u8)
        && !type.SequenceEqual("file_search_call"u8)
        && !type.SequenceEqual("code_interpreter_call"u8)
        && !type.SequenceEqual("computer_call"u8)
        && !type.StartsWith("mcp_"u8);
}
