using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>Log messages of the session-log archives.</summary>
internal static partial class SessionLogLog
{
    /// <summary>Archives are on but cannot be written; logged once.</summary>
    [LoggerMessage(EventId = 7100, EventName = "SessionLogArchivesSkipped", Level = LogLevel.Warning,
        Message = "Session log archives are enabled but skipped: {Reason}")]
    public static partial void ArchivesSkipped(ILogger logger, string reason);

    /// <summary>The archive queue was full and one request's events were dropped.</summary>
    [LoggerMessage(EventId = 7101, EventName = "SessionLogQueueFull", Level = LogLevel.Warning,
        Message = "Session log archive queue is full; one request's log events were dropped ({DroppedCount} dropped so far)")]
    public static partial void QueueFull(ILogger logger, long droppedCount);

    /// <summary>Writing one archive failed.</summary>
    [LoggerMessage(EventId = 7102, EventName = "SessionLogArchiveWriteFailed", Level = LogLevel.Error,
        Message = "Writing a session log archive failed")]
    public static partial void ArchiveWriteFailed(ILogger logger, Exception exception);

    /// <summary>An existing archive could not be read for merging and was kept aside under another name.</summary>
    [LoggerMessage(EventId = 7103, EventName = "SessionLogArchiveUnreadable", Level = LogLevel.Warning,
        Message = "An existing session log archive could not be read with the configured password; it was kept aside and a new archive written")]
    public static partial void ArchiveUnreadable(ILogger logger);

    /// <summary>One retention pass finished.</summary>
    [LoggerMessage(EventId = 7104, EventName = "SessionLogRetention", Level = LogLevel.Information,
        Message = "Session log retention deleted {Archives} archives, {TempFiles} temporary files and {Directories} empty directories")]
    public static partial void RetentionDeleted(ILogger logger, int archives, int tempFiles, int directories);

    /// <summary>One retention pass failed.</summary>
    [LoggerMessage(EventId = 7105, EventName = "SessionLogRetentionFailed", Level = LogLevel.Warning,
        Message = "Session log retention pass failed")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
