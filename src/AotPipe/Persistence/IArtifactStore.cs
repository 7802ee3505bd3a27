namespace AotPipe.Persistence;

/// <summary>
/// Durable artifact rows for one table. Every read and delete is scoped: a row matches when its scope equals the caller's,
/// or when it has no scope (a legacy row of the original pipe) and its chat id matches (DESIGN.md section 4).
/// </summary>
internal interface IArtifactStore : IAsyncDisposable
{
    /// <summary>Component name for health and logs (<c>postgres</c> or <c>sqlite</c>).</summary>
    public string Name { get; }

    /// <summary>The table this store reads and writes.</summary>
    public ArtifactTableName Table { get; }

    /// <summary>Write-path counters for metrics.</summary>
    public PersistenceCounters Counters { get; }

    /// <summary>
    /// Creates the table and indexes when missing, adds the nullable <c>scope</c> column to a legacy table, replays a
    /// spill journal left by an earlier run and starts the batch writer. Safe when several instances start at once.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Queues one row and completes when it is durable (committed, or fsynced in the spill journal), or with the reason it
    /// is not. Concurrent callers share one batch transaction (group commit). Cancelling stops the wait only: a row
    /// already queued may still be written (retention removes it).
    /// </summary>
    public ValueTask<ArtifactWriteResult> AppendAsync(ArtifactRecord record, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="limit"/> rows with ids after <paramref name="afterId"/> in id order, without
    /// touching them (key rotation walks a whole table this way, resumably).</summary>
    public Task<IReadOnlyList<ArtifactRecord>> ScanAsync(string? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Returns the rows among <paramref name="ids"/> visible to (<paramref name="scope"/>, <paramref name="chatId"/>)
    /// in one query, and refreshes their <c>created_at</c>.</summary>
    public Task<IReadOnlyList<ArtifactRecord>> FetchAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>Deletes the rows among <paramref name="ids"/> visible to (<paramref name="scope"/>, <paramref name="chatId"/>).</summary>
    public Task DeleteAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>Deletes rows whose <c>created_at</c> is before <paramref name="cutoff"/>, at most <paramref name="batchSize"/>
    /// per transaction so locks stay short; returns the number deleted.</summary>
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken);

    /// <summary>Current health for <c>/readyz</c>.</summary>
    public StoreHealth GetHealth();
}
