namespace AotPipe.TestKit.Mock;

/// <summary>One request the mock received, for assertions.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Headers">Request headers (first value each).</param>
/// <param name="Body">Body bytes.</param>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The id of the connection the request came on (Kestrel's), to tell reuse from a new connection.</summary>
    public string ConnectionId { get; init; } = string.Empty;

    /// <summary>The body as text.</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}
