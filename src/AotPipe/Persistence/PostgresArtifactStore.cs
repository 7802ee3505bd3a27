using AotPipe.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace AotPipe.Persistence;

/// <summary>
/// Artifact store on PostgreSQL (<c>DATABASE_URL</c>): group-committed binary COPY writes through
/// <see cref="ArtifactBatchWriter"/>, scoped reads in one query.
/// </summary>
/// <remarks>
/// Table DDL (a legacy table of the original pipe keeps its own types and gets only the nullable <c>scope</c> column):
/// <code>
/// CREATE TABLE response_items_{fragment}_{hash8} (
///   id text PRIMARY KEY, chat_id text NOT NULL, message_id text NOT NULL, model_id text, item_type text NOT NULL,
///   payload json NOT NULL, is_encrypted boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now(),
///   scope text);
/// CREATE INDEX ri_{hash8}_chat ON … (chat_id, id);
/// CREATE INDEX ri_{hash8}_created ON … (created_at);
/// </code>
/// <c>payload</c> is <c>json</c>, not <c>jsonb</c>: the gateway never queries inside it, <c>json</c> stores the text as
/// written (cheaper than parsing into jsonb, and byte-exact for the conflict check), and it is the original pipe's type.
/// There is no separate <c>user_id</c>: the scope <c>&lt;tenant&gt;/&lt;user&gt;</c> already carries the user, and
/// one column cannot drift from the AAD the way two could.
/// </remarks>
internal sealed class PostgresArtifactStore : IArtifactStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly ArtifactStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _target;
    private ArtifactBatchWriter? _writer;
    private PostgresColumnTypes _types = PostgresColumnTypes.Default;
    private string _fetch = string.Empty;
    private string _delete = string.Empty;
    private string _scan = string.Empty;
    private string _deleteOlder = string.Empty;

    /// <summary>Creates a store over an existing data source.</summary>
    public PostgresArtifactStore(NpgsqlDataSource dataSource, bool ownsDataSource, ArtifactTableName table, ArtifactStoreOptions options, TimeProvider time, ILogger logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        Table = table;
        _options = options;
        _time = time;
        _logger = logger;
        _target = "\"" + table.Name + "\"";
    }

    /// <inheritdoc />
    public string Name => "postgres";

    /// <inheritdoc />
    public ArtifactTableName Table { get; }

    /// <inheritdoc />
    public PersistenceCounters Counters { get; } = new();

    /// <summary>The batch writer (tests use its barrier seam).</summary>
    internal ArtifactBatchWriter Writer => _writer ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>Builds a data source from <c>DATABASE_URL</c>; false with a message naming the setting when it is invalid.</summary>
    public static bool TryCreateDataSource(string databaseUrl, out NpgsqlDataSource? dataSource, out string? error)
    {
        dataSource = null;
        if (!DatabaseUrl.TryParse(databaseUrl, out var connection, out error))
        {
            return false;
        }

        // Naive legacy timestamps are UTC; the session time zone makes now() and casts agree with that.
        connection.Timezone = "UTC";
        var builder = new NpgsqlSlimDataSourceBuilder(connection.ConnectionString);
        builder.EnableArrays();
        dataSource = builder.Build();
        return true;
    }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        var columns = $"{CopyBatchWriter.Columns.Replace("payload", "payload::text", StringComparison.Ordinal)}";
        var visible = "id = ANY(@ids) AND chat_id = @chat AND (scope = @scope OR scope IS NULL)";
        // One statement reads and refreshes: the data-modifying CTE runs once whether or not it is referenced, and only
        // touches rows older than the granularity so hot rows are not rewritten on every read.
        _fetch = $"WITH hit AS (SELECT {columns} FROM {_target} WHERE {visible}), "
            + $"touch AS (UPDATE {_target} AS t SET created_at = @now FROM hit WHERE t.id = hit.id AND hit.created_at < @stale) "
            + "SELECT * FROM hit";
        _delete = $"DELETE FROM {_target} WHERE {visible}";
        _scan = $"SELECT {columns} FROM {_target} WHERE id > @after ORDER BY id LIMIT @limit";
        _deleteOlder = $"DELETE FROM {_target} WHERE id IN (SELECT id FROM {_target} WHERE created_at < @cutoff LIMIT @limit FOR UPDATE SKIP LOCKED)";
        _writer = new ArtifactBatchWriter(new CopyBatchWriter(_dataSource, Table, _types), Table, _options, _time, _logger, Counters);
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

        try
        {
            return await FetchOnceAsync(scope, chatId, ids, cancellationToken);
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            // A pooled connection may have died with a server restart; one retry on a fresh pool is enough to tell.
            _dataSource.Clear();
            return await FetchOnceAsync(scope, chatId, ids, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactRecord>> ScanAsync(string? afterId, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_scan);
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlTypes.NpgsqlDbType.Text) { Value = afterId ?? string.Empty });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlTypes.NpgsqlDbType.Integer) { Value = limit });
        return await ReadRecordsAsync(command, limit, cancellationToken);
    }

    private static async Task<List<ArtifactRecord>> ReadRecordsAsync(NpgsqlCommand command, int capacity, CancellationToken cancellationToken)
    {
        var result = new List<ArtifactRecord>(capacity);
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
                reader.GetValue(7) is true,
                PostgresColumnTypes.FromDbTime(reader.GetDateTime(8))));
        }

        return result;
    }

    private async Task<IReadOnlyList<ArtifactRecord>> FetchOnceAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var command = _dataSource.CreateCommand(_fetch);
        AddVisibility(command, scope, chatId, ids);
        command.Parameters.Add(new NpgsqlParameter("now", _types.CreatedAt) { Value = _types.ToDbTime(now) });
        command.Parameters.Add(new NpgsqlParameter("stale", _types.CreatedAt) { Value = _types.ToDbTime(now - _options.TouchGranularity) });
        return await ReadRecordsAsync(command, ids.Count, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(_delete);
        AddVisibility(command, scope, chatId, ids);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var total = 0;
        while (true)
        {
            // Each batch is its own short transaction; SKIP LOCKED keeps retention out of the way of readers touching rows.
            await using var command = _dataSource.CreateCommand(_deleteOlder);
            command.Parameters.Add(new NpgsqlParameter("cutoff", _types.CreatedAt) { Value = _types.ToDbTime(cutoff) });
            command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = batchSize });
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

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }

    private static void AddVisibility(NpgsqlCommand command, string scope, string chatId, IReadOnlyCollection<string> ids)
    {
        var array = new string[ids.Count];
        var i = 0;
        foreach (var id in ids)
        {
            array[i++] = id;
        }

        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = array });
        command.Parameters.Add(new NpgsqlParameter("chat", NpgsqlDbType.Text) { Value = chatId });
        command.Parameters.Add(new NpgsqlParameter("scope", NpgsqlDbType.Text) { Value = scope });
    }

    /// <remarks>
    /// Several gateway instances may start at once: the DDL runs in one transaction under an advisory lock keyed by the
    /// table name, and the catalog is checked first so that a running table is not locked (ALTER/CREATE INDEX take
    /// strong locks even when they end up doing nothing).
    /// </remarks>
    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", connection, transaction))
        {
            command.Parameters.AddWithValue("key", "aotpipe:" + Table.Name);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table", connection, transaction))
        {
            command.Parameters.AddWithValue("table", Table.Name);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                columns[reader.GetString(0)] = reader.GetString(1);
            }
        }

        if (columns.Count == 0)
        {
            await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS {_target} (id text PRIMARY KEY, chat_id text NOT NULL, message_id text NOT NULL, model_id text, item_type text NOT NULL, payload json NOT NULL, is_encrypted boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now(), scope text)", cancellationToken);
            _types = PostgresColumnTypes.Default;
        }
        else
        {
            if (!columns.ContainsKey("scope"))
            {
                await ExecuteAsync(connection, transaction, $"ALTER TABLE {_target} ADD COLUMN IF NOT EXISTS scope text", cancellationToken);
                PersistenceLog.ScopeColumnAdded(_logger, Table.Name);
            }

            _types = PostgresColumnTypes.FromCatalog(columns.GetValueOrDefault("payload"), columns.GetValueOrDefault("created_at"));
        }

        // An index whose first column already serves the lookup (e.g. the original's own) is reused, not duplicated.
        var leading = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = @table::regclass", connection, transaction))
        {
            command.Parameters.AddWithValue("table", _target);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                leading.Add(reader.GetString(0));
            }
        }

        if (!leading.Contains("chat_id"))
        {
            await ExecuteAsync(connection, transaction, $"CREATE INDEX IF NOT EXISTS {Table.IndexName("chat")} ON {_target} (chat_id, id)", cancellationToken);
        }

        if (!leading.Contains("created_at"))
        {
            await ExecuteAsync(connection, transaction, $"CREATE INDEX IF NOT EXISTS {Table.IndexName("created")} ON {_target} (created_at)", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
