using Microsoft.Data.Sqlite;

namespace AotPipe.Persistence;

/// <summary>
/// The embedded store's batch transaction: one <c>BEGIN IMMEDIATE</c> … <c>COMMIT</c> per batch of idempotent inserts,
/// so a batch costs one WAL fsync however many rows it holds.
/// </summary>
internal sealed class SqliteBatchWriter : IArtifactBatchSink
{
    // SQLite primary result codes that mean "this row's data", not "the database": CONSTRAINT, TOOBIG, MISMATCH, RANGE.
    private const int SqliteConstraint = 19;
    private const int SqliteTooBig = 18;
    private const int SqliteMismatch = 20;
    private const int SqliteRange = 25;

    private readonly SqliteArtifactStore _store;
    private readonly string _insert;
    private readonly string _existing;

    /// <summary>Creates the writer for the store's table.</summary>
    public SqliteBatchWriter(SqliteArtifactStore store)
    {
        _store = store;
        var target = "\"" + store.Table.Name + "\"";
        _insert = $"INSERT INTO {target} (id, scope, chat_id, message_id, model_id, item_type, payload, is_encrypted, created_at) "
            + "VALUES ($id, $scope, $chat, $message, $model, $type, $payload, $encrypted, $created) ON CONFLICT(id) DO NOTHING";
        _existing = $"SELECT payload, scope, chat_id FROM {target} WHERE id = $id";
    }

    /// <inheritdoc />
    public string Name => "sqlite";

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async Task WriteBatchAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = _insert;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var scope = insert.Parameters.Add("$scope", SqliteType.Text);
        var chat = insert.Parameters.Add("$chat", SqliteType.Text);
        var message = insert.Parameters.Add("$message", SqliteType.Text);
        var model = insert.Parameters.Add("$model", SqliteType.Text);
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Text);
        var encrypted = insert.Parameters.Add("$encrypted", SqliteType.Integer);
        var created = insert.Parameters.Add("$created", SqliteType.Integer);
        await using var existing = connection.CreateCommand();
        existing.Transaction = transaction;
        existing.CommandText = _existing;
        var existingId = existing.Parameters.Add("$id", SqliteType.Text);
        foreach (var row in rows)
        {
            id.Value = row.Id;
            scope.Value = (object?)row.Scope ?? DBNull.Value;
            chat.Value = row.ChatId;
            message.Value = row.MessageId;
            model.Value = (object?)row.ModelId ?? DBNull.Value;
            type.Value = row.ItemType;
            payload.Value = row.Payload;
            encrypted.Value = row.IsEncrypted ? 1 : 0;
            created.Value = SqliteArtifactStore.ToDbTime(row.CreatedAt);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                continue;
            }

            // The id exists: the same content is a retried row (success), different content is a conflict.
            existingId.Value = row.Id;
            await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken)
                && !(reader.GetString(0) == row.Payload && reader.GetValue(1) as string == row.Scope && reader.GetString(2) == row.ChatId))
            {
                conflicts.Add(row.Id);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public bool IsRowFailure(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint or SqliteTooBig or SqliteMismatch or SqliteRange };

    /// <inheritdoc />
    public void ResetConnections() => _store.ClearPool();

    /// <inheritdoc />
    public string Describe(Exception exception) => exception is SqliteException sqlite
        ? $"SqliteException {sqlite.SqliteErrorCode}/{sqlite.SqliteExtendedErrorCode}"
        : exception.GetType().Name;
}
