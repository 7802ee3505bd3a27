using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>Initialises the artifact store in the background, runs retention, and drains the writer on shutdown.</summary>
/// <remarks>A database that is down at start-up does not stop the gateway: initialisation retries with backoff while
/// <c>/readyz</c> answers 503 and chat answers stream without markers; nothing acknowledged is ever lost because
/// nothing is acknowledged before the store is ready.</remarks>
internal sealed class ArtifactStoreLifetime : IHostedService, IAsyncDisposable
{
    /// <summary>Longest wait between initialisation attempts.</summary>
    public static readonly TimeSpan MaxInitRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IArtifactStore _store;
    private readonly GatewaySettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _background = Task.CompletedTask;
    private volatile bool _isReady;

    public ArtifactStoreLifetime(IArtifactStore store, GatewaySettings settings, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _settings = settings;
        _time = time;
        _logger = loggers.CreateLogger("AotPipe.Persistence");
    }

    /// <summary>Whether the store accepts reads and writes.</summary>
    public bool IsReady => _isReady;

    /// <summary>The store.</summary>
    public IArtifactStore Store => _store;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The embedded store is local: initialise it before listening so the first request can persist.
        if (_settings.DatabaseUrl is null && await TryInitializeAsync(cancellationToken))
        {
            _background = RetainAsync(_stopping.Token);
            return;
        }

        _background = InitializeThenRetainAsync(_stopping.Token);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _background.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        // Drains the batch writer: every acknowledged row is committed or in the journal before exit.
        await _store.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        await _store.DisposeAsync();
    }

    private async Task<bool> TryInitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.InitializeAsync(cancellationToken);
            _isReady = true;
            ArtifactLog.StoreReady(_logger, _store.Name, _store.Table.Name);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ArtifactLog.StoreNotReady(_logger, ex.GetType().Name);
            return false;
        }
    }

    private async Task InitializeThenRetainAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        try
        {
            while (!await TryInitializeAsync(cancellationToken))
            {
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxInitRetryDelay.Ticks));
            }

            await RetainAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RetainAsync(CancellationToken cancellationToken)
    {
        var retention = new ArtifactRetention(_store, _settings.ArtifactRetention, _settings.ArtifactCleanupInterval, _time, _logger);
        try
        {
            await retention.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
