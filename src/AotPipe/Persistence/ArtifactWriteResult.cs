namespace AotPipe.Persistence;

/// <summary>How an <see cref="IArtifactStore.AppendAsync"/> call ended. Only <see cref="Committed"/> and
/// <see cref="Spilled"/> mean the row is durable and a marker may be sent.</summary>
internal enum ArtifactWriteResult
{
    /// <summary>The row is committed in the database (or it was already there with the same content).</summary>
    Committed,

    /// <summary>The database was unreachable; the row is fsynced in the local spill journal and is replayed later.</summary>
    Spilled,

    /// <summary>A row with this id but different content already exists; re-insert under a new id (DESIGN.md section 4).</summary>
    IdConflict,

    /// <summary>The database refused this row (constraint, data error); it was quarantined and the rest of its batch committed.</summary>
    Rejected,

    /// <summary>Neither the database nor the spill journal (full or failing) could take the row; nothing is durable.</summary>
    Unavailable,
}
