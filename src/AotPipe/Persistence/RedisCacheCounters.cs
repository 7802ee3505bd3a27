namespace AotPipe.Persistence;

/// <summary>Monotonic counters of the optional artifact read cache, read by <c>/metrics</c>. Updated with interlocked adds.</summary>
internal sealed class RedisCacheCounters
{
    private long _hits;
    private long _misses;
    private long _errors;

    /// <summary>Artifact rows served from the cache.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Artifact rows looked up in the cache and read from the database instead.</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>Cache calls that failed or timed out (the request continued against the database).</summary>
    public long Errors => Volatile.Read(ref _errors);

    internal void AddHits(int rows) => Interlocked.Add(ref _hits, rows);

    internal void AddMisses(int rows) => Interlocked.Add(ref _misses, rows);

    internal long AddError() => Interlocked.Increment(ref _errors);
}
