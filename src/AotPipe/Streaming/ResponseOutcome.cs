namespace AotPipe.Streaming;

/// <summary>How an upstream response ended, as seen by the translator.</summary>
internal enum ResponseOutcome
{
    /// <summary>No terminal event yet.</summary>
    InProgress,

    /// <summary><c>response.completed</c>.</summary>
    Completed,

    /// <summary><c>response.incomplete</c> (for example the output token limit).</summary>
    Incomplete,

    /// <summary><c>response.failed</c>, <c>response.error</c> or a flat <c>error</c> event.</summary>
    Failed,

    /// <summary>The gateway detected the failure (reset, idle timeout, stream ended without a terminal event).</summary>
    Interrupted,
}
