using Microsoft.Extensions.Hosting;

namespace AotPipe.Hosting;

/// <summary>Gives in-flight streams <c>SHUTDOWN_DRAIN_SECONDS</c> after SIGTERM, then cancels them so each ends with a
/// terminal in-band error instead of being cut.</summary>
public sealed class ShutdownDrain : IDisposable
{
    private readonly CancellationTokenSource _drainOver;
    private readonly CancellationTokenRegistration _registration;

    /// <summary>Starts the drain countdown when the application begins stopping.</summary>
    public ShutdownDrain(IHostApplicationLifetime lifetime, TimeSpan drain, TimeProvider time)
    {
        _drainOver = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _registration = lifetime.ApplicationStopping.Register(static state =>
        {
            var (source, delay) = ((CancellationTokenSource, TimeSpan))state!;
            source.CancelAfter(delay);
        }, (_drainOver, drain));
    }

    /// <summary>Cancelled when the drain time after SIGTERM has run out.</summary>
    public CancellationToken Token => _drainOver.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        _registration.Dispose();
        _drainOver.Dispose();
    }
}
