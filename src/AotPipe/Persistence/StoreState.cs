namespace AotPipe.Persistence;

/// <summary>Readiness of an artifact store, as reported on <c>/readyz</c>.</summary>
internal enum StoreState
{
    /// <summary>Writes commit in the database.</summary>
    Healthy,

    /// <summary>The database is unreachable but writes are durable in the local journal (below its cap): still ready.</summary>
    Degraded,

    /// <summary>Writes are not durable anywhere (journal full or failing, or the store is not initialised): not ready.</summary>
    Unhealthy,
}
