using AotPipe.Errors;

namespace AotPipe.Streaming;

/// <summary>One request's cancellation: client gone, shutdown drain over, or the upstream idle for too long.</summary>
/// <remarks>The idle timeout is a timer re-armed before every upstream read and disarmed while the client is being
/// written to, so it measures upstream silence only (no total timeout on streams, DESIGN.md section 3).</remarks>
public sealed class RelayTimer : IDisposable
{
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _client;
    private readonly CancellationToken _shutdown;
    private readonly TimeSpan _idle;

    /// <summary>Links the client and shutdown tokens and prepares the idle timer.</summary>
    public RelayTimer(CancellationToken client, CancellationToken shutdown, TimeSpan idle)
    {
        _client = client;
        _shutdown = shutdown;
        _idle = idle;
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
        if (!_linked.IsCancellationRequested)
        {
            _linked.CancelAfter(_idle);
        }
    }

    /// <summary>Stops the idle countdown while the gateway is busy writing.</summary>
    public void DisarmIdle()
    {
        if (!_linked.IsCancellationRequested)
        {
            _linked.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Which of the three causes cancelled <see cref="Token"/>.</summary>
    public GatewayError Classify() =>
        _client.IsCancellationRequested ? GatewayError.None
        : _shutdown.IsCancellationRequested ? GatewayError.ShuttingDown
        : GatewayError.UpstreamIdleTimeout;

    /// <inheritdoc />
    public void Dispose() => _linked.Dispose();
}
