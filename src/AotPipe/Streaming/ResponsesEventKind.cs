namespace AotPipe.Streaming;

/// <summary>How the relay classifies one upstream Responses event by its top-level <c>type</c>.</summary>
public enum ResponsesEventKind
{
    /// <summary>Any event that does not end the stream (deltas, item events, unknown types).</summary>
    Other,

    /// <summary><c>response.completed</c> or <c>response.incomplete</c>: the upstream finished.</summary>
    Finished,

    /// <summary><c>response.failed</c>, <c>response.error</c> or a flat <c>error</c>: the upstream ended with a failure.</summary>
    Failed,

    /// <summary>The data was not a JSON object (or not parseable).</summary>
    NotJson,
}
