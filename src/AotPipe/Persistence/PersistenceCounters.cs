namespace AotPipe.Persistence;

/// <summary>Monotonic counters of one store's write path, read by <c>/metrics</c>. Updated with interlocked adds.</summary>
internal sealed class PersistenceCounters
{
    private long _batches;
    private long _rows;
    private long _retries;
    private long _spilledRows;
    private long _replayedRows;
    private long _quarantinedRows;
    private long _idConflicts;

    /// <summary>Transactions committed by the batch writer (one per batch, plus one per split half).</summary>
    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Rows acknowledged as committed.</summary>
    public long Rows => Volatile.Read(ref _rows);

    /// <summary>Failed write attempts that were retried.</summary>
    public long Retries => Volatile.Read(ref _retries);

    /// <summary>Rows written to the local spill journal.</summary>
    public long SpilledRows => Volatile.Read(ref _spilledRows);

    /// <summary>Rows replayed from the spill journal into the database.</summary>
    public long ReplayedRows => Volatile.Read(ref _replayedRows);

    /// <summary>Rows the database refused, isolated and quarantined.</summary>
    public long QuarantinedRows => Volatile.Read(ref _quarantinedRows);

    /// <summary>Rows whose id already existed with different content.</summary>
    public long IdConflicts => Volatile.Read(ref _idConflicts);

    internal void AddBatch(int rows)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _rows, rows);
    }

    internal void AddRetry() => Interlocked.Increment(ref _retries);

    internal void AddSpilled(int rows) => Interlocked.Add(ref _spilledRows, rows);

    internal void AddReplayed(int rows) => Interlocked.Add(ref _replayedRows, rows);

    internal void AddQuarantined() => Interlocked.Increment(ref _quarantinedRows);

    internal void AddIdConflict() => Interlocked.Increment(ref _idConflicts);
}
