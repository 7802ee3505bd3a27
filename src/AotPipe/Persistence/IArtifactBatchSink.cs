namespace AotPipe.Persistence;

/// <summary>The database side of the batch writer: one transaction per call, and how its failures are classified.</summary>
internal interface IArtifactBatchSink : IAsyncDisposable
{
    /// <summary>Component name for health and logs.</summary>
    public string Name { get; }

    /// <summary>
    /// Writes <paramref name="rows"/> in one transaction, idempotently: a row whose id exists with the same content is a
    /// success. Ids that exist with different content (payload, scope or chat) are added to <paramref name="conflicts"/>.
    /// Throws on failure; nothing of the batch is committed then.
    /// </summary>
    public Task WriteBatchAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken);

    /// <summary>True when the failure is caused by the data of some row (split the batch and isolate it); false when
    /// it is the database or the connection (retry, then spill).</summary>
    public bool IsRowFailure(Exception exception);

    /// <summary>Drops pooled connections after a connection-level failure, so the retry starts on a fresh one.</summary>
    public void ResetConnections();

    /// <summary>A short, secret-free description of a failure (exception type and SQL state; never row data).</summary>
    public string Describe(Exception exception);
}
