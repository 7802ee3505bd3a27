using System.Text.Json.Nodes;

namespace AotPipe.Upstream;

/// <summary>
/// Supplies stored output items for replay while a chat request is translated. The translator calls it synchronously,
/// so an implementation answers from items it has already loaded (collect the keys first with
/// <see cref="ChatRequestTranslator.CollectReplayKeys"/>, read the store off the socket thread, then translate).
/// </summary>
internal interface IArtifactReplaySource
{
    /// <summary>The stored items behind the marker ids of one assistant message, in the order to replay them.</summary>
    public IReadOnlyList<JsonNode> ResolveMarkers(IReadOnlyList<string> ids);

    /// <summary>The reasoning items stored under a tool call's <c>call_id</c>, in the order to replay them.</summary>
    public IReadOnlyList<JsonNode> ResolveCallReasoning(string callId);
}
