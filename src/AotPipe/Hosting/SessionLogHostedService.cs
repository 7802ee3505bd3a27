using AotPipe.SessionLogs;
using Microsoft.Extensions.Hosting;

namespace AotPipe.Hosting;

/// <summary>
/// Runs session-log retention in the background and drains the archive queue on shutdown.
/// </summary>
/// <remarks>
/// The drain happens in <see cref="StoppedAsync"/>, after every hosted service has stopped, the web server included: by
/// then in-flight requests have finished and queued their buffers, so none is refused by a queue that already closed.
/// The host's shutdown timeout bounds the drain.
/// </remarks>
internal sealed class SessionLogHostedService : IHostedLifecycleService, IDisposable
{
    private readonly SessionLogQueue _queue;
    private readonly SessionLogRetention _retention;
    private readonly CancellationTokenSource _stopping = new();
    private Task _retentionLoop = Task.CompletedTask;

    /// <summary>Creates the service.</summary>
    public SessionLogHostedService(SessionLogQueue queue, SessionLogRetention retention)
    {
        _queue = queue;
        _retention = retention;
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_queue.IsActive)
        {
            // The first pass walks the directory tree: keep it off the start-up path.
            _retentionLoop = Task.Run(() => _retention.RunAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _retentionLoop.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => _queue.DrainAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();
}
