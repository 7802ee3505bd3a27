namespace AotPipe.Persistence;

/// <summary>A snapshot of a store's health for <c>/readyz</c>. Carries no payloads, ids or connection secrets.</summary>
/// <param name="Name">Component name: <c>postgres</c> or <c>sqlite</c>.</param>
/// <param name="State">Readiness.</param>
/// <param name="PendingSpilledRows">Rows in the local journal waiting for replay.</param>
/// <param name="SpillBytes">Size of the local journal in bytes.</param>
/// <param name="QueuedRows">Rows waiting in the write queue.</param>
/// <param name="LastError">Short description of the last write failure (exception type and SQL state), or null.</param>
internal sealed record StoreHealth(
    string Name,
    StoreState State,
    long PendingSpilledRows,
    long SpillBytes,
    int QueuedRows,
    string? LastError);
