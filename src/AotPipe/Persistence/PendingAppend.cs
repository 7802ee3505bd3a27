namespace AotPipe.Persistence;

/// <summary>One row travelling through the batch writer, with the caller waiting for its outcome (none for replayed rows).</summary>
internal sealed class PendingAppend
{
    private readonly TaskCompletionSource<ArtifactWriteResult>? _completion;

    private PendingAppend(ArtifactRecord record, bool hasCaller)
    {
        Record = record;
        // Continuations run off the consumer thread so a caller's follow-up work never stalls the next batch.
        _completion = hasCaller ? new TaskCompletionSource<ArtifactWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    /// <summary>The row.</summary>
    public ArtifactRecord Record { get; }

    /// <summary>True once an outcome is settled (committed, spilled, refused).</summary>
    public bool IsResolved { get; private set; }

    /// <summary>True for a row replayed from the journal: its caller was acknowledged long ago.</summary>
    public bool IsReplay => _completion is null;

    /// <summary>The caller's outcome.</summary>
    public Task<ArtifactWriteResult> Completion => _completion?.Task ?? Task.FromResult(ArtifactWriteResult.Committed);

    /// <summary>A row from a live caller.</summary>
    public static PendingAppend ForCaller(ArtifactRecord record) => new(record, hasCaller: true);

    /// <summary>A row read back from the spill journal.</summary>
    public static PendingAppend ForReplay(ArtifactRecord record) => new(record, hasCaller: false);

    /// <summary>Settles the outcome and releases the caller.</summary>
    public void Resolve(ArtifactWriteResult result)
    {
        IsResolved = true;
        _completion?.TrySetResult(result);
    }
}
