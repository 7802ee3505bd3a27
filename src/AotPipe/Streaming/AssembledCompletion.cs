namespace AotPipe.Streaming;

/// <summary>What <see cref="ChatCompletionAssembler"/> made of a non-stream Responses body.</summary>
internal sealed class AssembledCompletion
{
    /// <summary>True when a <c>chat.completion</c> body was written; false for failed or unreadable responses.</summary>
    public bool IsWritten { get; init; }

    /// <summary>How the response ended (<see cref="ResponseOutcome.Failed"/> also covers an unreadable body).</summary>
    public ResponseOutcome Outcome { get; init; }

    /// <summary>The chat finish reason written.</summary>
    public string? FinishReason { get; init; }

    /// <summary>The upstream response id.</summary>
    public string? UpstreamResponseId { get; init; }

    /// <summary>The upstream model, else the requested one.</summary>
    public string Model { get; init; } = string.Empty;

    /// <summary>The mapped usage.</summary>
    public ChatUsage Usage { get; init; }

    /// <summary>True when the body carried usage.</summary>
    public bool HasUsage { get; init; }

    /// <summary>True when the completed response ended in tool calls.</summary>
    public bool EndedWithToolCalls { get; init; }

    /// <summary>Replayable output items, byte for byte.</summary>
    public IReadOnlyList<CapturedItem> CapturedItems { get; init; } = [];

    /// <summary>The upstream error code (string or number text), when failed.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>True when <see cref="ErrorCode"/> is a JSON number.</summary>
    public bool ErrorCodeIsNumber { get; init; }

    /// <summary>The upstream error message, when failed.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>OpenRouter's <c>error_type</c>, when sent.</summary>
    public string? ErrorType { get; init; }
}
