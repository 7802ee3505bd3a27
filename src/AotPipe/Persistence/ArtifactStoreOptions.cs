namespace AotPipe.Persistence;

/// <summary>
/// Write-path settings of an artifact store. The public settings (DESIGN.md section 3) map as: <c>DB_BATCH_SIZE</c> to
/// <see cref="BatchSize"/>, <c>DB_BATCH_WINDOW_MS</c> to <see cref="BatchWindow"/>, <c>AOTPIPE_DATA_DIR</c> to
/// <see cref="DataDirectory"/>; the rest are internal knobs with production defaults.
/// </summary>
internal sealed class ArtifactStoreOptions
{
    /// <summary>Default <c>DB_BATCH_SIZE</c>.</summary>
    public const int DefaultBatchSize = 256;

    /// <summary>Largest accepted <c>DB_BATCH_SIZE</c>: beyond it a batch's COPY and conflict check hold one transaction too long.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Default <c>DB_BATCH_WINDOW_MS</c>.</summary>
    public const int DefaultBatchWindowMs = 5;

    /// <summary>Largest accepted <c>DB_BATCH_WINDOW_MS</c>: every artifact write (and so every marker) waits up to this long.</summary>
    public const int MaxBatchWindowMs = 1_000;

    /// <summary>Default write-queue capacity; a full queue makes <see cref="IArtifactStore.AppendAsync"/> wait (back-pressure).</summary>
    public const int DefaultQueueCapacity = 8_192;

    /// <summary>Default cap of the local spill journal (256 MiB); above it writes are <see cref="ArtifactWriteResult.Unavailable"/>.</summary>
    public const long DefaultMaxSpillBytes = 256L * 1024 * 1024;

    /// <summary>Directory of the embedded store and the spill journal (<c>AOTPIPE_DATA_DIR</c>).</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>Most rows per batch transaction (<c>DB_BATCH_SIZE</c>), 1 to <see cref="MaxBatchSize"/>.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Longest wait to fill a batch (<c>DB_BATCH_WINDOW_MS</c>); zero sends whatever is queued at once.</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(DefaultBatchWindowMs);

    /// <summary>Write-queue capacity in rows.</summary>
    public int QueueCapacity { get; init; } = DefaultQueueCapacity;

    /// <summary>How long a batch is retried against an unreachable database before it is spilled to the journal.</summary>
    public TimeSpan SpillAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First retry delay; doubles up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest retry delay, also the probe cadence while the journal waits for the database.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Cap of the spill journal in bytes.</summary>
    public long MaxSpillBytes { get; init; } = DefaultMaxSpillBytes;

    /// <summary>Reads refresh <c>created_at</c> only when it is older than this, so hot rows are not rewritten on every read.</summary>
    public TimeSpan TouchGranularity { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Checks the values; returns a configuration message naming the setting, or null when valid.</summary>
    public string? Validate()
    {
        if (BatchSize is < 1 or > MaxBatchSize)
        {
            return $"DB_BATCH_SIZE must be between 1 and {MaxBatchSize}.";
        }

        if (BatchWindow < TimeSpan.Zero || BatchWindow > TimeSpan.FromMilliseconds(MaxBatchWindowMs))
        {
            return $"DB_BATCH_WINDOW_MS must be between 0 and {MaxBatchWindowMs}.";
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            return "AOTPIPE_DATA_DIR must not be empty.";
        }

        return QueueCapacity < 1 || MaxSpillBytes < 1 || SpillAfter < TimeSpan.Zero || RetryInitialDelay <= TimeSpan.Zero || RetryMaxDelay < RetryInitialDelay
            ? "artifact store options are out of range."
            : null;
    }
}
