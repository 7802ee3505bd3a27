namespace AotPipe.Upstream;

/// <summary>What a chat request may replay: the marker ids of its assistant messages and the call ids of their tool calls.</summary>
/// <param name="MarkerIds">Marker ids in message order.</param>
/// <param name="CallIds">Tool call ids in message order.</param>
internal sealed record ReplayKeys(IReadOnlyList<string> MarkerIds, IReadOnlyList<string> CallIds);
