using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>Initialises the artifact store in the background, runs retention, and drains the writer on shutdown.</summary>
/// <remarks>
/// A database that is down at start-up does not stop the gateway: initialisation retries with backoff while
/// <c>/readyz</c> answers 503 and chat answers stream without markers; nothing acknowledged is ever lost because
/// nothing is acknowledged before the store is ready.
/// The embedded store is local and normally ready within milliseconds, so requests that arrive during its first attempt
/// wait for that attempt (at most <see cref="FirstAttemptWait"/>) instead of going without markers. It still runs
/// alongside Kestrel's start rather than before listening: opening SQLite was the largest step between <c>main</c> and
/// the first served request (perf-reports/footprint.md).
/// </remarks>
internal sealed class ArtifactStoreLifetime : IHostedService, IAsyncDisposable
{
    /// <summary>Longest wait between initialisation attempts.</summary>
    public static readonly TimeSpan MaxInitRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Longest a request waits for the embedded store's first initialisation attempt.</summary>
    public static readonly TimeSpan FirstAttemptWait = TimeSpan.FromSeconds(5);

    private readonly IArtifactStore _store;
    private readonly GatewaySettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

    /// <summary>Whether the store is ready, after waiting for the embedded store's first initialisation attempt if it is
    /// still running. Completes synchronously once the store is ready.</summary>
    /// <param name="cancellationToken">The request's abort token.</param>
    public ValueTask<bool> WaitReadyAsync(CancellationToken cancellationToken) =>
        _isReady || _firstAttempt.Task.IsCompleted ? ValueTask.FromResult(_isReady) : WaitFirstAttemptAsync(cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A remote database may take seconds to answer: requests never wait for it.
        if (_settings.DatabaseUrl is not null)
        {
            _firstAttempt.TrySetResult();
        }

        _background = Task.Run(() => InitializeThenRetainAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
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
            ArtifactLog.StoreNotReady(_logger, DescribeFailure(ex));
            return false;
        }
    }

    /// <summary>What the start-up log says about a failed initialisation.</summary>
    /// <remarks>The innermost type names the cause (a TypeInitializationException around a DllNotFoundException says the
    /// SQLite library is missing next to the binary). Messages stay out, as a database driver's may carry connection
    /// details, except for file-system errors: theirs name the path that failed (an unusable AOTPIPE_DATA_DIR), which is
    /// configuration, not a secret, and what the operator needs to fix it.</remarks>
    internal static string DescribeFailure(Exception exception)
    {
        var cause = exception.GetBaseException();
        var type = cause.GetType().Name;
        return cause is IOException or UnauthorizedAccessException
            ? type + ": " + cause.Message
            : type;
    }

    private async ValueTask<bool> WaitFirstAttemptAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _firstAttempt.Task.WaitAsync(FirstAttemptWait, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Still initialising: the request goes on as it would with the store down.
        }

        return _isReady;
    }

    private async Task InitializeThenRetainAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        try
        {
            var ready = await TryInitializeAsync(cancellationToken);
            _firstAttempt.TrySetResult();
            while (!ready)
            {
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxInitRetryDelay.Ticks));
                ready = await TryInitializeAsync(cancellationToken);
            }

            await RetainAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _firstAttempt.TrySetResult();
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
