using AotPipe.Persistence;
using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>Log lines of artifact persistence and replay (ids only, never payloads).</summary>
internal static partial class ArtifactLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning, Message = "Artifact replay skipped: the store could not be read")]
    public static partial void ReplayFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "{Count} marker(s) in the history resolved to nothing in this scope and chat; skipped")]
    public static partial void MarkersUnresolved(ILogger logger, int count);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Artifact row {Id} could not be opened (wrong key, tampered, or copied from another chat or user); skipped")]
    public static partial void UndecodableRow(ILogger logger, string id);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Artifact {Id} was not persisted ({Result}); no marker is sent for it")]
    public static partial void NotPersisted(ILogger logger, string id, ArtifactWriteResult result);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Artifact store not initialised yet ({Reason}); retrying in the background")]
    public static partial void StoreNotReady(ILogger logger, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Artifact store ready: {Store} table {Table}")]
    public static partial void StoreReady(ILogger logger, string store, string table);
}
