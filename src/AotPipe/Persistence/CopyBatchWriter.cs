using Npgsql;
using NpgsqlTypes;

namespace AotPipe.Persistence;

/// <summary>
/// The PostgreSQL batch transaction (SECURITY.md section 5.3): stage with binary COPY, then an idempotent
/// <c>INSERT … SELECT … ON CONFLICT (id) DO NOTHING</c>, then a conflict check, in one transaction per batch. COPY has no
/// ON CONFLICT, so copying straight into the table would let one retried duplicate fail the whole batch.
/// </summary>
internal sealed class CopyBatchWriter : IArtifactBatchSink
{
    internal const string Columns = "id, scope, chat_id, message_id, model_id, item_type, payload, is_encrypted, created_at";
    private const string StageTable = "aotpipe_stage";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresColumnTypes _types;
    private readonly string _createStage;
    private readonly string _copy;
    private readonly string _insert;
    private readonly string _findConflicts;

    /// <summary>Creates the writer for one table.</summary>
    public CopyBatchWriter(NpgsqlDataSource dataSource, ArtifactTableName table, PostgresColumnTypes types)
    {
        _dataSource = dataSource;
        _types = types;
        var target = "\"" + table.Name + "\"";
        _createStage = $"CREATE TEMP TABLE {StageTable} (LIKE {target} INCLUDING DEFAULTS) ON COMMIT DROP";
        _copy = $"COPY {StageTable} ({Columns}) FROM STDIN (FORMAT BINARY)";
        _insert = $"INSERT INTO {target} ({Columns}) SELECT {Columns} FROM {StageTable} ON CONFLICT (id) DO NOTHING";
        // Runs after the insert in the same transaction, so our own rows match themselves; a row that differs was there
        // before (another writer, or a clock-and-random collision). A retried batch whose first commit was acknowledged
        // late finds identical rows and reports nothing.
        _findConflicts = $"SELECT s.id FROM {StageTable} s JOIN {target} t ON t.id = s.id WHERE t.payload::text IS DISTINCT FROM s.payload::text OR t.chat_id IS DISTINCT FROM s.chat_id OR t.scope IS DISTINCT FROM s.scope";
    }

    /// <inheritdoc />
    public string Name => "postgres";

    /// <inheritdoc />
    public async Task WriteBatchAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(_createStage, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(_copy, cancellationToken))
        {
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

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_insert));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_findConflicts));
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    conflicts.Add(reader.GetString(0));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
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
