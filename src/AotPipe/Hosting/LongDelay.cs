namespace AotPipe.Hosting;

/// <summary>
/// A delay that may exceed what one timer can hold: <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>
/// throws beyond about 49.7 days (<see cref="MaxStep"/>), and the cleanup intervals accept up to a year
/// (<c>ARTIFACT_CLEANUP_INTERVAL_HOURS</c> ≤ 8760, <c>SESSION_LOG_CLEANUP_INTERVAL_SECONDS</c> ≤ 31536000). Longer waits
/// are taken in steps.
/// </summary>
internal static class LongDelay
{
    /// <summary>The longest single timer wait (the runtime's limit, 2^32 − 2 ms).</summary>
    public static readonly TimeSpan MaxStep = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Waits <paramref name="delay"/> on <paramref name="time"/>'s clock.</summary>
    public static async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var remaining = delay;
        while (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining < MaxStep ? remaining : MaxStep, time, cancellationToken);
            remaining = delay - time.GetElapsedTime(started);
        }
    }
}
