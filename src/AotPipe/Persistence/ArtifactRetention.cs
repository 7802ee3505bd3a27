using AotPipe.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AotPipe.Persistence;

/// <summary>
/// Deletes artifacts not read for <c>ARTIFACT_CLEANUP_DAYS</c>, every <c>ARTIFACT_CLEANUP_INTERVAL_HOURS</c> plus jitter
/// (so several gateways on one database do not all sweep at the same moment), in bounded batches.
/// </summary>
internal sealed class ArtifactRetention
{
    /// <summary>Rows per delete transaction: small enough that row locks are held only briefly.</summary>
    public const int DeleteBatchSize = 1_000;

    /// <summary>Largest extra delay added to the interval, as a fraction of it.</summary>
    public const double MaxJitterFraction = 0.1;

    private readonly IArtifactStore _store;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _jitter;

    /// <summary>Creates the loop.</summary>
    /// <param name="store">The store to sweep.</param>
    /// <param name="maxAge">ARTIFACT_CLEANUP_DAYS as a span.</param>
    /// <param name="interval">ARTIFACT_CLEANUP_INTERVAL_HOURS as a span.</param>
    /// <param name="time">Clock and timers.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="jitter">Source of a value in [0, 1); defaults to <see cref="Random.Shared"/>.</param>
    public ArtifactRetention(IArtifactStore store, TimeSpan maxAge, TimeSpan interval, TimeProvider time, ILogger logger, Func<double>? jitter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _store = store;
        _maxAge = maxAge;
        _interval = interval;
        _time = time;
        _logger = logger;
        _jitter = jitter ?? Random.Shared.NextDouble;
    }

    /// <summary>Completed sweeps (including failed ones); tests wait on it.</summary>
    public int Sweeps { get; private set; }

    /// <summary>Raised after each sweep, once the next timer is already armed (so a test may advance the clock).</summary>
    public event Action<int>? SweepCompleted;

    /// <summary>Sweeps once now, then every interval plus jitter until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await SweepOnceAsync(cancellationToken);
            Sweeps++;
            // The timer is created before the event fires: a test that advances a fake clock on the event cannot miss it.
            var delay = Hosting.LongDelay.WaitAsync(NextDelay(), _time, cancellationToken);
            SweepCompleted?.Invoke(Sweeps);
            try
            {
                await delay;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One sweep; returns the rows deleted (zero when it failed, which is logged).</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow() - _maxAge;
        try
        {
            var deleted = await _store.DeleteOlderThanAsync(cutoff, DeleteBatchSize, cancellationToken);
            PersistenceLog.RetentionDeleted(_logger, deleted, cutoff);
            return deleted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PersistenceLog.RetentionFailed(_logger, ex);
            return 0;
        }
    }

    /// <summary>The wait before the next sweep: the interval plus up to <see cref="MaxJitterFraction"/> of it.</summary>
    internal TimeSpan NextDelay() => _interval + (_interval * (MaxJitterFraction * _jitter()));
}
