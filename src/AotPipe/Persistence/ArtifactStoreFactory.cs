using Microsoft.Extensions.Logging;

namespace AotPipe.Persistence;

/// <summary>Picks the store from the settings: PostgreSQL when <c>DATABASE_URL</c> is set, else the embedded SQLite file.</summary>
internal static class ArtifactStoreFactory
{
    /// <summary>
    /// Builds (without initialising) the store for (<paramref name="pipeId"/>, <paramref name="artifactKey"/>). Returns
    /// false with a message naming the setting (PIPE_ID, DATABASE_URL, DB_BATCH_SIZE, ...) on a configuration error.
    /// </summary>
    public static bool TryCreate(
        string? databaseUrl,
        string pipeId,
        string? artifactKey,
        ArtifactStoreOptions options,
        TimeProvider time,
        ILogger logger,
        out IArtifactStore? store,
        out string? error)
    {
        store = null;
        error = options.Validate();
        if (error is not null)
        {
            return false;
        }

        if (!ArtifactTableName.TryCreate(pipeId, artifactKey, out var table, out error))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(databaseUrl))
        {
            store = new SqliteArtifactStore(table, options, time, logger);
            return true;
        }

        if (!PostgreSqlSupport.IsSupported)
        {
            // Also keeps the trimmer from rooting Npgsql in the lean edition: everything below is dead code there.
            error = "DATABASE_URL is set, but " + PostgreSqlSupport.UnsupportedMessage;
            return false;
        }

        if (!PostgresArtifactStore.TryCreateDataSource(databaseUrl, out var dataSource, out error))
        {
            return false;
        }

        store = new PostgresArtifactStore(dataSource!, ownsDataSource: true, table, options, time, logger);
        return true;
    }
}
