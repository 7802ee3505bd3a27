using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace AotPipe.Upstream;

/// <summary>
/// The outcome of translating a chat-completions body: either a Responses request with the facts the relay needs, or
/// a validation error. Expected failures are values, not exceptions (house style).
/// </summary>
internal sealed class TranslationResult
{
    private TranslationResult(JsonObject? request, RequestValidationError? error)
    {
        Request = request;
        Error = error;
    }

    /// <summary>The Responses request body, for the caller to extend (ingestion) and serialize; null on error.</summary>
    public JsonObject? Request { get; }

    /// <summary>Why the body was rejected; null on success.</summary>
    public RequestValidationError? Error { get; }

    /// <summary>True when <see cref="Request"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Request))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Request is not null;

    /// <summary>The client asked for <c>stream: true</c>.</summary>
    public bool Stream { get; private init; }

    /// <summary>The client asked for <c>stream_options.include_usage: true</c>.</summary>
    public bool IncludeUsage { get; private init; }

    /// <summary>The requested model id, as sent by the client.</summary>
    public string Model { get; private init; } = string.Empty;

    /// <summary>The client asked for reasoning (<c>reasoning_effort</c> or <c>reasoning</c>).</summary>
    public bool ReasoningRequested { get; private init; }

    /// <summary>Every marker id found in assistant messages, in message order.</summary>
    public IReadOnlyList<string> MarkerIds { get; private init; } = [];

    /// <summary>How many stored items were inserted into <c>input</c> from the replay source.</summary>
    public int ReplayedItemCount { get; private init; }

    /// <summary>Creates a successful result.</summary>
    public static TranslationResult Success(
        JsonObject request, bool stream, bool includeUsage, string model, bool reasoningRequested,
        IReadOnlyList<string> markerIds, int replayedItemCount) =>
        new(request, null)
        {
            Stream = stream,
            IncludeUsage = includeUsage,
            Model = model,
            ReasoningRequested = reasoningRequested,
            MarkerIds = markerIds,
            ReplayedItemCount = replayedItemCount,
        };

    /// <summary>Creates a failed result naming the offending field.</summary>
    public static TranslationResult Invalid(string param, string message) => new(null, new RequestValidationError(param, message));
}
