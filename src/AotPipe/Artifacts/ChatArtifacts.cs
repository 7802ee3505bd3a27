using System.Text.Json.Nodes;
using AotPipe.Streaming;
using AotPipe.Upstream;

namespace AotPipe.Artifacts;

/// <summary>Artifact persistence and replay for the chat-completions route.</summary>
internal sealed class ChatArtifacts
{
    /// <summary>Loads the stored items the history's markers and tool calls refer to, scoped to the caller.</summary>
    public Task<IArtifactReplaySource?> LoadReplayAsync(JsonObject body, CallerIdentity identity, CancellationToken cancellationToken) =>
        Task.FromResult<IArtifactReplaySource?>(null);

    /// <summary>The step run at the terminal event: persist, then return the marker lines.</summary>
    public Func<ChatChunkTranslator, CancellationToken, ValueTask<string?>>? CreateTerminalStep(CallerIdentity identity, TranslationResult translation) => null;

    /// <summary>Runs after a reply finished (e.g. deletes reasoning replayed under <c>next_reply</c>).</summary>
    public Task AfterReplyAsync(CallerIdentity identity, TranslationResult translation, bool succeeded) => Task.CompletedTask;
}
