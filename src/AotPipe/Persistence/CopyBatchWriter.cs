using Npgsql;
using NpgsqlTypes;

namespace AotPipe.Persistence;

/// <summary>
/// The PostgreSQL batch write (SECURITY.md section 5.3). A batch is first copied straight into the table with binary COPY
/// as one statement of its own (PostgreSQL commits it, WAL flushed, before it reports ready); when that COPY meets an id
/// that is already there, nothing of it is committed and the batch takes the staged path: COPY into a session stage
/// table, then an idempotent <c>INSERT … SELECT … ON CONFLICT (id) DO NOTHING</c> and a conflict check, in one
/// transaction.
/// </summary>
/// <remarks>
/// <para>Why two paths: the staged transaction takes four round trips to the server (COPY start, COPY end, insert,
/// commit) and the direct COPY two. On a busy gateway each round trip waits its turn on the socket threads, and rows
/// that end while a batch is in flight wait for it, so round trips are what a stream's end-of-stream latency pays for
/// durability (perf-reports/persistence.md, "Direct COPY first"). An id that is already there is rare: a batch retried
/// after its acknowledgement was lost, a journal replay, or an id collision. COPY has no ON CONFLICT, so those batches
/// pay a failed COPY (rolled back in full) and then the staged transaction, which absorbs duplicates and reports
/// conflicts exactly as before.</para>
/// <para>The writer keeps one connection (it has a single caller, the batch writer's consumer) and creates its stage
/// table once per session with <c>ON COMMIT DELETE ROWS</c>, instead of <c>CREATE TEMP TABLE … ON COMMIT DROP</c> in
/// every batch: with the per-batch stage table a 100-row batch took 28 ms (perf-reports/persistence.md, "Rows per
/// batch"). Any failure discards the connection, so a retry starts on a fresh session.</para>
/// </remarks>
internal sealed class CopyBatchWriter : IArtifactBatchSink
{
    internal const string Columns = "id, scope, chat_id, message_id, model_id, item_type, payload, is_encrypted, created_at";
    private const string StageTable = "aotpipe_stage";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresColumnTypes _types;
    private readonly string _createStage;
    private readonly string _copyDirect;
    private readonly string _copy;
    private readonly string _insert;
    private readonly string _findConflicts;
    private NpgsqlConnection? _connection;
    private bool _stageCreated;
    private long _stagedBatches;

    /// <summary>Creates the writer for one table.</summary>
    public CopyBatchWriter(NpgsqlDataSource dataSource, ArtifactTableName table, PostgresColumnTypes types)
    {
        _dataSource = dataSource;
        _types = types;
        var target = "\"" + table.Name + "\"";
        _createStage = $"CREATE TEMP TABLE IF NOT EXISTS {StageTable} (LIKE {target} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";
        _copyDirect = $"COPY {target} ({Columns}) FROM STDIN (FORMAT BINARY)";
        _copy = $"COPY {StageTable} ({Columns}) FROM STDIN (FORMAT BINARY)";
        _insert = $"INSERT INTO {target} ({Columns}) SELECT {Columns} FROM {StageTable} ON CONFLICT (id) DO NOTHING";
        // Checked only when the insert skipped rows (a retried batch, or an id taken by other content). Looked up by
        // primary key with an array parameter: a join against the unanalysed stage table can make the planner scan the
        // whole target.
        _findConflicts = $"SELECT id, payload::text, chat_id, scope FROM {target} WHERE id = ANY(@ids)";
    }

    /// <inheritdoc />
    public string Name => "postgres";

    /// <summary>Batches that took the staged path because the direct COPY met an existing id.</summary>
    internal long StagedBatches => Interlocked.Read(ref _stagedBatches);

    /// <inheritdoc />
    public async Task WriteBatchAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
    {
        try
        {
            await WriteOnSessionAsync(rows, conflicts, cancellationToken);
        }
        catch
        {
            // A failed COPY can leave the protocol out of step (Npgsql breaks the connector); never reuse the session.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Closes the writer's session.</summary>
    public async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        _stageCreated = false;
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private async Task WriteOnSessionAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
    {
        var connection = _connection ??= await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // No transaction: the COPY is its own statement, committed (and flushed) before CompleteAsync returns.
            await CopyRowsAsync(connection, _copyDirect, rows, cancellationToken);
            return;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Nothing of the COPY is committed. The session is not reused after a failed COPY.
            await DisposeAsync();
        }

        Interlocked.Increment(ref _stagedBatches);
        await WriteStagedAsync(rows, conflicts, cancellationToken);
    }

    private async Task WriteStagedAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
    {
        var connection = _connection ??= await _dataSource.OpenConnectionAsync(cancellationToken);
        if (!_stageCreated)
        {
            await using var create = new NpgsqlCommand(_createStage, connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            _stageCreated = true;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await CopyRowsAsync(connection, _copy, rows, cancellationToken);

        int inserted;
        await using (var insert = new NpgsqlCommand(_insert, connection, transaction))
        {
            inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (inserted < rows.Count)
        {
            await FindConflictsAsync(connection, transaction, rows, conflicts, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task CopyRowsAsync(NpgsqlConnection connection, string copy, IReadOnlyList<ArtifactRecord> rows, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(row.Id, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, row.Scope, cancellationToken);
            await importer.WriteAsync(row.ChatId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.MessageId, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, row.ModelId, cancellationToken);
            await importer.WriteAsync(row.ItemType, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Payload, _types.Payload, cancellationToken);
            await importer.WriteAsync(row.IsEncrypted, NpgsqlDbType.Boolean, cancellationToken);
            await importer.WriteAsync(_types.ToDbTime(row.CreatedAt), _types.CreatedAt, cancellationToken);
        }

        // Without Complete the importer rolls the COPY back on dispose (Npgsql docs).
        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Compares the stored rows with ours after the insert (same transaction, so our own rows match themselves): a row that
    /// differs in payload, chat or scope was there before (another writer, or a clock-and-random collision). A retried
    /// batch whose first commit was acknowledged late finds identical rows and reports nothing.
    /// </summary>
    private async Task FindConflictsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
    {
        var ids = new string[rows.Count];
        var byId = new Dictionary<string, ArtifactRecord>(rows.Count, StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            ids[i] = rows[i].Id;
            byId.TryAdd(rows[i].Id, rows[i]);
        }

        await using var command = new NpgsqlCommand(_findConflicts, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = byId[reader.GetString(0)];
            if (!SamePayload(_types.Payload, reader.GetString(1), row.Payload) || reader.GetString(2) != row.ChatId || reader.GetValue(3) as string != row.Scope)
            {
                conflicts.Add(row.Id);
            }
        }
    }

    // jsonb normalises whitespace and key order, so a stored jsonb payload is compared with ours as parsed JSON.
    private static bool SamePayload(NpgsqlDbType type, string stored, string ours)
    {
        if (stored == ours)
        {
            return true;
        }

        if (type != NpgsqlDbType.Jsonb)
        {
            return false;
        }

        try
        {
            return System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(stored), System.Text.Json.Nodes.JsonNode.Parse(ours));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public bool IsRowFailure(Exception exception) =>
        // Class 22 data exception (bad JSON, NUL byte), 23 integrity violation, 54 program limit (row too large):
        // the data of some row, which a retry cannot fix.
        exception is PostgresException pg
        && (pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal) || pg.SqlState.StartsWith("54", StringComparison.Ordinal));

    /// <inheritdoc />
    public void ResetConnections() => _dataSource.Clear();

    /// <inheritdoc />
    public string Describe(Exception exception) => Describe(exception, 0);

    private static string Describe(Exception exception, int depth) => exception switch
    {
        // MessageText can quote row data (e.g. the offending JSON token), so only the code and constraint are kept.
        PostgresException pg => $"PostgresException {pg.SqlState}{(pg.ConstraintName is null ? string.Empty : " " + pg.ConstraintName)}",
        NpgsqlException { InnerException: { } inner } when depth < 2 => "NpgsqlException/" + Describe(inner, depth + 1),
        _ => exception.GetType().Name,
    };

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
        }
    }
}
