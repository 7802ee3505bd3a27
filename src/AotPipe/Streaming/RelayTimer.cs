using AotPipe.Errors;

namespace AotPipe.Streaming;

/// <summary>One request's cancellation: client gone, shutdown drain over, or the upstream idle for too long.</summary>
/// <remarks>
/// The idle timeout is a deadline moved before every upstream read and cleared while the client is being written to, so
/// it measures upstream silence only (no total timeout on streams, DESIGN.md section 3). Arming stores a timestamp; one
/// timer per request wakes at the earliest possible expiry and either cancels or sleeps until the current deadline.
/// Re-arming a <see cref="CancellationTokenSource"/> per read instead took the timer-queue lock twice per read (484 of
/// the gateway's 17,494 instructions per relayed event, perf-reports/relay.md, "Where the instructions per event went").
/// </remarks>
public sealed class RelayTimer : IDisposable
{
    /// <summary>Shortest sleep between two checks, so a deadline a few microseconds away does not spin the timer.</summary>
    public static readonly TimeSpan MinimumRecheck = TimeSpan.FromMilliseconds(1);

    private const long Disarmed = long.MaxValue;

    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _client;
    private readonly CancellationToken _shutdown;
    private readonly TimeSpan _idle;
    private readonly TimeProvider _time;
    private readonly long _idleTimestampTicks;
    private ITimer? _timer;
    private long _deadline = Disarmed;
    private bool _disposed;

    /// <summary>Links the client and shutdown tokens and prepares the idle timer.</summary>
    /// <param name="client">The client's request-aborted token.</param>
    /// <param name="shutdown">Cancelled when the shutdown drain ends.</param>
    /// <param name="idle">Longest upstream silence; <see cref="Timeout.InfiniteTimeSpan"/> disables it.</param>
    /// <param name="time">Clock and timers (tests pass a fake one); the system clock when null.</param>
    public RelayTimer(CancellationToken client, CancellationToken shutdown, TimeSpan idle, TimeProvider? time = null)
    {
        _client = client;
        _shutdown = shutdown;
        _idle = idle;
        _time = time ?? TimeProvider.System;
        _idleTimestampTicks = idle == Timeout.InfiniteTimeSpan ? 0 : (long)(Math.Max(idle.TotalSeconds, 0) * _time.TimestampFrequency);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(client, shutdown);
    }

    /// <summary>Cancelled when the client leaves, the drain ends, or the idle timer fires.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The client's own token (used for writes, which must not be cut by the idle timer).</summary>
    public CancellationToken ClientToken => _client;

    /// <summary>Whether the client disconnected.</summary>
    public bool IsClientGone => _client.IsCancellationRequested;

    /// <summary>Starts (or restarts) the idle countdown.</summary>
    public void ArmIdle()
    {
        if (_idle == Timeout.InfiniteTimeSpan || _linked.IsCancellationRequested)
        {
            return;
        }

        Volatile.Write(ref _deadline, _time.GetTimestamp() + _idleTimestampTicks);
        if (_timer is null && !_disposed)
        {
            // Created on first use: the earliest expiry is one idle period from now; OnTick sleeps on from there.
            _timer = _time.CreateTimer(static state => ((RelayTimer)state!).OnTick(), this, _idle, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the idle countdown while the gateway is busy writing.</summary>
    public void DisarmIdle() => Volatile.Write(ref _deadline, Disarmed);

    /// <summary>Which of the three causes cancelled <see cref="Token"/>.</summary>
    public GatewayError Classify() =>
        _client.IsCancellationRequested ? GatewayError.None
        : _shutdown.IsCancellationRequested ? GatewayError.ShuttingDown
        : GatewayError.UpstreamIdleTimeout;

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
        _linked.Dispose();
    }

    private void OnTick()
    {
        var deadline = Volatile.Read(ref _deadline);
        var wait = _idle;
        if (deadline != Disarmed)
        {
            var now = _time.GetTimestamp();
            if (now >= deadline)
            {
                try
                {
                    _linked.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The request ended while the timer fired.
                }

                return;
            }

            wait = _time.GetElapsedTime(now, deadline);
            if (wait < MinimumRecheck)
            {
                wait = MinimumRecheck;
            }
        }

        try
        {
            _timer?.Change(wait, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check and the change: nothing left to time.
        }
    }
}
