using Microsoft.Extensions.Logging;

namespace AotPipe.SessionLogs;

/// <summary>One captured log event of a request.</summary>
/// <param name="Timestamp">When the event was logged.</param>
/// <param name="Level">The event's level.</param>
/// <param name="Category">The logger category (written as <c>logger</c> and <c>module</c>).</param>
/// <param name="EventName">The event name (written as <c>func</c>); may be null.</param>
/// <param name="EventId">The event id (written as <c>lineno</c>).</param>
/// <param name="Message">The formatted message, already redacted.</param>
/// <param name="ExceptionText">The exception's text, already redacted, or null.</param>
/// <param name="RequestId">The request the event belongs to.</param>
/// <param name="Sequence">The event's sequence number within its request; with the request id it identifies the event in a merge.</param>
internal sealed record SessionLogEvent(
    DateTimeOffset Timestamp,
    LogLevel Level,
    string Category,
    string? EventName,
    int EventId,
    string Message,
    string? ExceptionText,
    string RequestId,
    long Sequence)
{
    /// <summary>The level name as the original pipe writes it (Python logging names).</summary>
    public string LevelName => Level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "NOTSET",
    };
}
