using System.Text;
using System.Text.Json;
using AotPipe.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AotPipe.Persistence;

/// <summary>
/// The embedded artifact store (no <c>DATABASE_URL</c>): one SQLite file <c>{AOTPIPE_DATA_DIR}/artifacts.db</c> in WAL
/// mode, with the same contract and group commit as the PostgreSQL store.
/// </summary>
/// <remarks>
/// <c>synchronous=FULL</c>: in WAL mode NORMAL skips the fsync at commit, so a power loss can roll back transactions whose
/// callers were already told the row is durable (and were sent a marker). Group commit makes FULL cheap: one WAL fsync per
/// batch, not per row. Table DDL:
/// <code>
/// CREATE TABLE response_items_{fragment}_{hash8} (
///   id TEXT PRIMARY KEY NOT NULL, chat_id TEXT NOT NULL, message_id TEXT NOT NULL, model_id TEXT, item_type TEXT NOT NULL,
///   payload TEXT NOT NULL CHECK (json_valid(payload)), is_encrypted INTEGER NOT NULL DEFAULT 0,
///   created_at INTEGER NOT NULL,  -- Unix microseconds, UTC
///   scope TEXT);
/// CREATE INDEX ri_{hash8}_chat ON … (chat_id, id);
/// CREATE INDEX ri_{hash8}_created ON … (created_at);
/// </code>
/// </remarks>
internal sealed class SqliteArtifactStore : IArtifactStore
{
    /// <summary>File name of the embedded database inside the data directory.</summary>
    public const string FileName = "artifacts.db";

    private readonly ArtifactStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly string _target;
    private ArtifactBatchWriter? _writer;
    private volatile bool _poolUsed;

    /// <summary>Creates the store; nothing touches the disk before <see cref="InitializeAsync"/>.</summary>
    public SqliteArtifactStore(ArtifactTableName table, ArtifactStoreOptions options, TimeProvider time, ILogger logger)
    {
        Table = table;
        _options = options;
        _time = time;
        _logger = logger;
        _target = "\"" + table.Name + "\"";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(options.DataDirectory, FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a statement retries while another connection holds the write lock.
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <inheritdoc />
    public string Name => "sqlite";

    /// <inheritdoc />
    public ArtifactTableName Table { get; }

    /// <inheritdoc />
    public PersistenceCounters Counters { get; } = new();

    /// <summary>The batch writer (tests use its barrier seam).</summary>
    internal ArtifactBatchWriter Writer => _writer ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.DataDirectory);
        await using (var connection = await OpenConnectionAsync(cancellationToken))
        {
            // WAL is a property of the file: set once, it persists.
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL", cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS {_target} (id TEXT PRIMARY KEY NOT NULL, chat_id TEXT NOT NULL, message_id TEXT NOT NULL, model_id TEXT, item_type TEXT NOT NULL, payload TEXT NOT NULL CHECK (json_valid(payload)), is_encrypted INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, scope TEXT)", cancellationToken);
            var hasScope = false;
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT 1 FROM pragma_table_info('{Table.Name}') WHERE name = 'scope'";
                hasScope = await command.ExecuteScalarAsync(cancellationToken) is not null;
            }

            if (!hasScope)
            {
                await ExecuteAsync(connection, $"ALTER TABLE {_target} ADD COLUMN scope TEXT", cancellationToken);
                PersistenceLog.ScopeColumnAdded(_logger, Table.Name);
            }

            await ExecuteAsync(connection, $"CREATE INDEX IF NOT EXISTS {Table.IndexName("chat")} ON {_target} (chat_id, id)", cancellationToken);
            await ExecuteAsync(connection, $"CREATE INDEX IF NOT EXISTS {Table.IndexName("created")} ON {_target} (created_at)", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        _writer = new ArtifactBatchWriter(new SqliteBatchWriter(this), Table, _options, _time, _logger, Counters);
        await _writer.StartAsync();
        PersistenceLog.StoreReady(_logger, Name, Table.Name);
    }

    /// <inheritdoc />
    public ValueTask<ArtifactWriteResult> AppendAsync(ArtifactRecord record, CancellationToken cancellationToken) =>
        Writer.AppendAsync(record, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactRecord>> FetchAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var now = _time.GetUtcNow();
        var stale = ToDbTime(now - _options.TouchGranularity);
        var result = new List<ArtifactRecord>(ids.Count);
        var toTouch = new List<string>();
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            // All ids travel as one JSON array parameter: one statement, no dynamic SQL.
            command.CommandText = $"SELECT id, scope, chat_id, message_id, model_id, item_type, payload, is_encrypted, created_at FROM {_target} WHERE id IN (SELECT value FROM json_each($ids)) AND chat_id = $chat AND (scope = $scope OR scope IS NULL)";
            command.Parameters.AddWithValue("$ids", ToJsonArray(ids));
            command.Parameters.AddWithValue("$chat", chatId);
            command.Parameters.AddWithValue("$scope", scope);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var created = reader.GetInt64(8);
                var record = new ArtifactRecord(
                    reader.GetString(0),
                    reader.GetValue(1) as string,
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetValue(4) as string,
                    reader.GetString(5),
                    reader.GetString(6),
                    reader.GetInt64(7) != 0,
                    FromDbTime(created));
                result.Add(record);
                if (created < stale)
                {
                    toTouch.Add(record.Id);
                }
            }
        }

        if (toTouch.Count > 0)
        {
            // Only rows already proven visible are touched, and only when their time is older than the granularity.
            await using var touch = connection.CreateCommand();
            touch.CommandText = $"UPDATE {_target} SET created_at = $now WHERE id IN (SELECT value FROM json_each($ids))";
            touch.Parameters.AddWithValue("$now", ToDbTime(now));
            touch.Parameters.AddWithValue("$ids", ToJsonArray(toTouch));
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactRecord>> ScanAsync(string? afterId, int limit, CancellationToken cancellationToken)
    {
        var result = new List<ArtifactRecord>(limit);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, scope, chat_id, message_id, model_id, item_type, payload, is_encrypted, created_at FROM {_target} WHERE id > $after ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterId ?? string.Empty);
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new ArtifactRecord(
                reader.GetString(0),
                reader.GetValue(1) as string,
                reader.GetString(2),
                reader.GetString(3),
                reader.GetValue(4) as string,
                reader.GetString(5),
                reader.GetString(6),
                reader.GetInt64(7) != 0,
                FromDbTime(reader.GetInt64(8))));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {_target} WHERE id IN (SELECT value FROM json_each($ids)) AND chat_id = $chat AND (scope = $scope OR scope IS NULL)";
        command.Parameters.AddWithValue("$ids", ToJsonArray(ids));
        command.Parameters.AddWithValue("$chat", chatId);
        command.Parameters.AddWithValue("$scope", scope);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var total = 0;
        await using var connection = await OpenConnectionAsync(cancellationToken);
        while (true)
        {
            // One short write transaction per batch, so the batch writer never waits long for the lock.
            await using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM {_target} WHERE rowid IN (SELECT rowid FROM {_target} WHERE created_at < $cutoff LIMIT $limit)";
            command.Parameters.AddWithValue("$cutoff", ToDbTime(cutoff));
            command.Parameters.AddWithValue("$limit", batchSize);
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < batchSize)
            {
                return total;
            }
        }
    }

    /// <inheritdoc />
    public StoreHealth GetHealth() => _writer is null
        ? new StoreHealth(Name, StoreState.Unhealthy, 0, 0, 0, "not initialised")
        : new StoreHealth(Name, _writer.State, _writer.Journal.PendingRecords, _writer.Journal.Length, _writer.QueuedRows, _writer.LastError);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        // Without the native library no connection was ever made, and touching SqliteConnection again would throw.
        if (_poolUsed)
        {
            ClearPool();
        }
    }

    /// <summary>Opens a pooled connection with the durability pragma applied.</summary>
    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        _poolUsed = true;
        try
        {
            await connection.OpenAsync(cancellationToken);
            // synchronous is per connection, and pooled connections may be new: set it on every open (cheap).
            await ExecuteAsync(connection, "PRAGMA synchronous=FULL", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Drops this file's pooled connections.</summary>
    internal void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary><c>created_at</c> as stored: Unix microseconds, UTC.</summary>
    internal static long ToDbTime(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromDbTime(long value) => new(DateTimeOffset.UnixEpoch.UtcTicks + (value * 10), TimeSpan.Zero);

    private static string ToJsonArray(IEnumerable<string> ids)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var id in ids)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
