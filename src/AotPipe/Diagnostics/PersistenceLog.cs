using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>Log events of the artifact stores (event ids 4000-4099). Never logs payloads.</summary>
internal static partial class PersistenceLog
{
    [LoggerMessage(4000, LogLevel.Information, "Artifact store {Store} ready on table {Table}")]
    public static partial void StoreReady(ILogger logger, string store, string table);

    [LoggerMessage(4001, LogLevel.Information, "Added the nullable scope column to legacy artifact table {Table}; rows without a scope are resolved by chat id alone")]
    public static partial void ScopeColumnAdded(ILogger logger, string table);

    [LoggerMessage(4002, LogLevel.Warning, "Artifact batch of {Rows} rows failed on {Store} (attempt {Attempt}): {Error}; retrying in {DelayMs} ms")]
    public static partial void BatchRetry(ILogger logger, int rows, string store, int attempt, string error, long delayMs);

    [LoggerMessage(4003, LogLevel.Warning, "Database {Store} unreachable: spilled {Rows} artifact rows to the local journal ({JournalBytes} bytes)")]
    public static partial void Spilled(ILogger logger, string store, int rows, long journalBytes);

    [LoggerMessage(4004, LogLevel.Error, "Could not spill {Rows} artifact rows: {Reason}; they are not durable")]
    public static partial void SpillFailed(ILogger logger, int rows, string reason);

    [LoggerMessage(4005, LogLevel.Information, "Replayed {Rows} artifact rows from the local journal into {Store}")]
    public static partial void Replayed(ILogger logger, int rows, string store);

    [LoggerMessage(4006, LogLevel.Error, "Artifact row {Id} refused by {Store} ({Error}); quarantined in {File}")]
    public static partial void Quarantined(ILogger logger, string id, string store, string error, string file);

    [LoggerMessage(4007, LogLevel.Warning, "Artifact id {Id} already exists with different content")]
    public static partial void IdConflict(ILogger logger, string id);

    [LoggerMessage(4008, LogLevel.Error, "Artifact batch writer fault")]
    public static partial void WriterFault(ILogger logger, Exception exception);

    [LoggerMessage(4009, LogLevel.Warning, "Spill journal {File} has {Bytes} unreadable bytes at its end (a torn write); kept in {File}.corrupt")]
    public static partial void JournalCorruptTail(ILogger logger, string file, long bytes);

    [LoggerMessage(4010, LogLevel.Information, "Artifact retention deleted {Rows} rows older than {Cutoff:O}")]
    public static partial void RetentionDeleted(ILogger logger, int rows, DateTimeOffset cutoff);

    [LoggerMessage(4011, LogLevel.Warning, "Artifact retention run failed")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(4012, LogLevel.Information, "Database {Store} reachable again")]
    public static partial void Recovered(ILogger logger, string store);
}
