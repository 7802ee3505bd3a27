namespace AotPipe.Hosting;

/// <summary>Counts in-flight <c>/v1/*</c> requests and refuses those over <c>MAX_CONCURRENT_REQUESTS</c> at once.</summary>
/// <remarks>The original pipe queued; a gateway answers 503 with <c>Retry-After</c> instead, so nothing waits in an
/// unbounded queue (DESIGN.md section 6). An interlocked counter costs less than a limiter lease per request.</remarks>
public sealed class AdmissionGate
{
    private readonly int _limit;
    private int _inFlight;

    /// <summary>Creates the gate.</summary>
    public AdmissionGate(int limit) => _limit = limit;

    /// <summary>The configured limit.</summary>
    public int Limit => _limit;

    /// <summary>Requests currently admitted.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Admits one request, or returns false when full.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= _limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    /// <summary>Releases a slot taken by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
