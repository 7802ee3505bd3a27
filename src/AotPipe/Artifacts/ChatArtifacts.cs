using System.Text;
using System.Text.Json.Nodes;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Persistence;
using AotPipe.Streaming;
using AotPipe.Upstream;
using Microsoft.Extensions.Logging;

namespace AotPipe.Artifacts;

/// <summary>Artifact persistence and replay for the chat-completions route (DESIGN.md section 4).</summary>
/// <remarks>
/// <para>Write side: each replayable item (reasoning and other non-message items the client cannot carry) is sealed as
/// soon as it arrives, off the stream's thread; when the streamed response completes, the sealed items are appended to
/// the store, and the marker lines go out only once every row is durable (committed, or spilled to the fsynced
/// journal). A response that does not complete stores nothing; its sealed bytes are dropped. A turn that ends in tool
/// calls stores its reasoning under an id derived from each call id and sends no marker.</para>
/// <para>Read side: one store query per request for every marker and call id in the history, scoped to
/// (scope, chat); unknown or foreign ids resolve to nothing and are logged, never an error to the user.</para>
/// </remarks>
internal sealed class ChatArtifacts
{
    private readonly IArtifactStore _store;
    private readonly ArtifactPayloadCodec _codec;
    private readonly ArtifactSealer _sealer;
    private readonly GatewaySettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ChatArtifacts(IArtifactStore store, ArtifactPayloadCodec codec, ArtifactSealer sealer, GatewaySettings settings, TimeProvider time, ILogger logger)
    {
        _store = store;
        _codec = codec;
        _sealer = sealer;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    private bool PersistsReasoning => _settings.PersistReasoning != "disabled";

    /// <summary>Loads the stored items the history's markers and tool calls refer to, scoped to the caller.</summary>
    public async Task<IArtifactReplaySource?> LoadReplayAsync(JsonObject body, CallerIdentity identity, CancellationToken cancellationToken)
    {
        if (identity.ChatId is not { } chatId)
        {
            return null;
        }

        var keys = Upstream.ChatRequestTranslator.CollectReplayKeys(body);
        if (keys.MarkerIds.Count == 0 && keys.CallIds.Count == 0)
        {
            return null;
        }

        var callIdsByRowId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var callId in keys.CallIds)
        {
            callIdsByRowId[CallArtifactId.For(identity.Scope, chatId, callId)] = callId;
        }

        var ids = new HashSet<string>(keys.MarkerIds, StringComparer.Ordinal);
        ids.UnionWith(callIdsByRowId.Keys);
        IReadOnlyList<ArtifactRecord> rows;
        try
        {
            rows = await _store.FetchAsync(identity.Scope, chatId, ids, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A store outage degrades replay; it never fails the user's request.
            ArtifactLog.ReplayFailed(_logger, ex);
            return null;
        }

        var byMarker = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        var byCall = new Dictionary<string, List<JsonNode>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var context = new ArtifactAadContext(_store.Table.Name, row.Id, row.ChatId, row.MessageId, row.ItemType, row.Scope ?? string.Empty);
            if (!_codec.TryDecode(row.Payload, row.IsEncrypted, context, out var itemJson) || JsonNode.Parse(itemJson) is not JsonObject item)
            {
                ArtifactLog.UndecodableRow(_logger, row.Id);
                continue;
            }

            if (callIdsByRowId.TryGetValue(row.Id, out var callId))
            {
                if (!byCall.TryGetValue(callId, out var list))
                {
                    byCall[callId] = list = [];
                }

                list.Add(item);
            }
            else
            {
                byMarker[row.Id] = item;
            }
        }

        var missing = keys.MarkerIds.Count - byMarker.Count;
        if (missing > 0)
        {
            ArtifactLog.MarkersUnresolved(_logger, missing);
        }

        return new LoadedReplaySource(byMarker, byCall);
    }

    /// <summary>
    /// Starts sealing <paramref name="translator"/>'s items as they arrive and returns the step run at the terminal event:
    /// persist, then return the marker lines to append.
    /// </summary>
    public Func<ChatChunkTranslator, CancellationToken, ValueTask<string?>>? CreateTerminalStep(CallerIdentity identity, ChatChunkTranslator translator)
    {
        if (identity.ChatId is null)
        {
            // Without a chat id nothing is persisted, as in the original pipe.
            return null;
        }

        var ahead = new SealAhead(this, identity);
        translator.ItemCaptured = ahead.OnCaptured;
        return (completed, cancellationToken) => PersistAsync(completed, identity, ahead, cancellationToken);
    }

    /// <summary>Under <c>next_reply</c>, deletes the reasoning that was replayed into a reply that then succeeded.</summary>
    public async Task AfterReplyAsync(CallerIdentity identity, TranslationResult translation, bool succeeded)
    {
        if (!succeeded || _settings.PersistReasoning != "next_reply" || identity.ChatId is not { } chatId || translation.MarkerIds.Count == 0)
        {
            return;
        }

        try
        {
            await _store.DeleteAsync(identity.Scope, chatId, translation.MarkerIds, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ArtifactLog.ReplayFailed(_logger, ex);
        }
    }

    private async ValueTask<string?> PersistAsync(ChatChunkTranslator translator, CallerIdentity identity, SealAhead ahead, CancellationToken cancellationToken)
    {
        if (translator.Outcome != ResponseOutcome.Completed || translator.CapturedItems.Count == 0)
        {
            return null;
        }

        var chatId = identity.ChatId!;
        var callIds = translator.EndedWithToolCalls ? CollectCallIds(translator.CapturedItems) : [];
        var pending = new List<(string Id, CapturedItem Item, Task<SealedPayload>? Sealed)>();
        foreach (var item in translator.CapturedItems)
        {
            if (!IsStored(item))
            {
                continue;
            }

            if (callIds.Count > 0 && item.Type == "reasoning")
            {
                // Stored under ids known only now: the item is sealed again for each (the id is in the AAD).
                foreach (var callId in callIds)
                {
                    pending.Add((CallArtifactId.For(identity.Scope, chatId, callId), item, null));
                }
            }
            else if (ahead.TryTake(item, out var id, out var sealedAhead))
            {
                pending.Add((id, item, sealedAhead));
            }
            else
            {
                pending.Add((ArtifactId.NewId(), item, null));
            }
        }

        if (pending.Count == 0)
        {
            return null;
        }

        var writes = new Task<string?>[pending.Count];
        for (var i = 0; i < pending.Count; i++)
        {
            writes[i] = WriteAsync(pending[i].Id, pending[i].Item, pending[i].Sealed, identity, translator.Model, allowNewId: callIds.Count == 0, cancellationToken);
        }

        var stored = await Task.WhenAll(writes);
        if (callIds.Count > 0)
        {
            return null;
        }

        var markers = new StringBuilder("\n\n");
        var any = false;
        foreach (var id in stored)
        {
            if (id is not null)
            {
                markers.Append(MarkerLines.FormatMarker(id)).Append('\n');
                any = true;
            }
        }

        return any ? markers.ToString() : null;
    }

    /// <summary>Seals (unless <paramref name="sealedAhead"/> already did, under <paramref name="id"/>) and appends one
    /// item; returns the id it is durable under, or null.</summary>
    private async Task<string?> WriteAsync(string id, CapturedItem item, Task<SealedPayload>? sealedAhead, CallerIdentity identity, string model, bool allowNewId, CancellationToken cancellationToken)
    {
        // One retry under a fresh id when the id already holds a different payload (DESIGN.md section 4).
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var sealedPayload = attempt == 0 && sealedAhead is not null
                ? await sealedAhead.WaitAsync(cancellationToken)
                : await _sealer.SealAsync(item.RawItemJson, ContextFor(id, item, identity), cancellationToken);
            var record = new ArtifactRecord(id, identity.Scope, identity.ChatId!, identity.MessageId, model, item.Type, sealedPayload.Payload, sealedPayload.IsEncrypted, _time.GetUtcNow());
            var result = await _store.AppendAsync(record, cancellationToken);
            switch (result)
            {
                case ArtifactWriteResult.Committed or ArtifactWriteResult.Spilled:
                    return id;
                case ArtifactWriteResult.IdConflict when allowNewId:
                    id = ArtifactId.NewId();
                    continue;
                default:
                    ArtifactLog.NotPersisted(_logger, id, result);
                    return null;
            }
        }

        return null;
    }

    private ArtifactAadContext ContextFor(string id, CapturedItem item, CallerIdentity identity) =>
        new(_store.Table.Name, id, identity.ChatId!, identity.MessageId, item.Type, identity.Scope);

    /// <summary>Whether <paramref name="item"/> is stored at all (function calls travel back with the client; reasoning
    /// only when persisting it is on).</summary>
    private bool IsStored(CapturedItem item) => item.Type != "function_call" && (item.Type != "reasoning" || PersistsReasoning);

    private static List<string> CollectCallIds(IReadOnlyList<CapturedItem> items)
    {
        var ids = new List<string>();
        foreach (var item in items)
        {
            if (item.Type == "function_call" && item.CallId is { Length: > 0 } callId)
            {
                ids.Add(callId);
            }
        }

        return ids;
    }

    /// <summary>
    /// Seals each stored item the moment the translator captures it, under an id chosen then, so the seal (compression,
    /// per-record key, AES-GCM on the sealer's consumer) is finished long before the response ends and is off the
    /// end-of-stream path (perf-reports/persistence.md, "Sealing ahead"). Nothing is stored here: a response that does not
    /// complete stores nothing (DESIGN.md section 6), and its sealed bytes are dropped with this object.
    /// </summary>
    /// <remarks>Used from the stream's own flow only (capture, then the terminal step), so it needs no locking.</remarks>
    private sealed class SealAhead(ChatArtifacts owner, CallerIdentity identity)
    {
        private readonly List<(CapturedItem Item, string Id, Task<SealedPayload> Sealed)> _started = [];

        public void OnCaptured(CapturedItem item)
        {
            if (!owner.IsStored(item))
            {
                return;
            }

            var id = ArtifactId.NewId();
            // Not the request's token: a seal is short and bounded, and its result is simply dropped if the response ends early.
            _started.Add((item, id, owner._sealer.SealAsync(item.RawItemJson, owner.ContextFor(id, item, identity), CancellationToken.None)));
        }

        public bool TryTake(CapturedItem item, out string id, out Task<SealedPayload>? sealedPayload)
        {
            foreach (var started in _started)
            {
                if (ReferenceEquals(started.Item, item))
                {
                    id = started.Id;
                    sealedPayload = started.Sealed;
                    return true;
                }
            }

            id = string.Empty;
            sealedPayload = null;
            return false;
        }
    }

    private sealed class LoadedReplaySource(Dictionary<string, JsonNode> byMarker, Dictionary<string, List<JsonNode>> byCall) : IArtifactReplaySource
    {
        public IReadOnlyList<JsonNode> ResolveMarkers(IReadOnlyList<string> ids)
        {
            var items = new List<JsonNode>(ids.Count);
            foreach (var id in ids)
            {
                if (byMarker.TryGetValue(id, out var item))
                {
                    // The translator inserts the node into the request; give it its own copy.
                    items.Add(item.DeepClone());
                }
            }

            return items;
        }

        public IReadOnlyList<JsonNode> ResolveCallReasoning(string callId) =>
            byCall.TryGetValue(callId, out var items) ? items.Select(static i => i.DeepClone()).ToList() : [];
    }
}
