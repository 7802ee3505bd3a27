namespace AotPipe.Streaming;

/// <summary>What <c>ChatChunkTranslator.OnEvent</c> made of one upstream SSE event.</summary>
internal enum TranslateStatus
{
    /// <summary>The event was translated; zero or more complete frames were written.</summary>
    Continue,

    /// <summary>The event type is unknown or carries nothing for the client (keep-alive shapes, part bookkeeping).</summary>
    Ignored,

    /// <summary>
    /// The response ended (completed, incomplete, failed or error). Nothing was written for it: append any marker
    /// with <see cref="ChatChunkTranslator.WriteContentDelta"/>, then call <see cref="ChatChunkTranslator.WriteCompletion"/>.
    /// </summary>
    Terminal,

    /// <summary>The upstream sent <c>data: [DONE]</c>; the gateway writes its own.</summary>
    UpstreamDone,

    /// <summary>The data was not a JSON object; nothing was written.</summary>
    Malformed,
}
