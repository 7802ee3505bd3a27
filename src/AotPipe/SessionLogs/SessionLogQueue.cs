using System.Threading.Channels;
using AotPipe.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AotPipe.SessionLogs;

/// <summary>
/// Hands finished request buffers to one background loop that writes their archives. Enqueueing never blocks a response:
/// when the queue is full the buffer is dropped, counted and logged.
/// </summary>
internal sealed class SessionLogQueue : IAsyncDisposable
{
    /// <summary>Request buffers waiting for the archive writer; more are dropped.</summary>
    public const int DefaultCapacity = 1024;

    private readonly Channel<SessionLogBuffer> _channel;
    private readonly Func<SessionLogBuffer, CancellationToken, Task> _write;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _droppedCount;
    private long _writtenCount;

    /// <summary>Creates the queue and starts its loop; logs one warning when archives are enabled but cannot be written.</summary>
    public SessionLogQueue(SessionLogOptions options, SessionLogArchiveWriter writer, ILogger logger, int capacity = DefaultCapacity)
        : this(options, (buffer, _) => WriteArchiveAsync(writer, buffer), logger, capacity)
    {
    }

    /// <summary>Creates the queue over any write step (tests).</summary>
    internal SessionLogQueue(SessionLogOptions options, Func<SessionLogBuffer, CancellationToken, Task> write, ILogger logger, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _write = write;
        _logger = logger;
        IsActive = options.IsActive;
        if (options.Enabled && !IsActive)
        {
            SessionLogLog.ArchivesSkipped(logger, string.IsNullOrEmpty(options.Password) ? "SESSION_LOG_ZIP_PASSWORD is not set" : "SESSION_LOG_DIR is empty");
        }

        _channel = Channel.CreateBounded<SessionLogBuffer>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _loop = IsActive ? Task.Run(ProcessAsync) : Task.CompletedTask;
    }

    /// <summary>Whether archives are written (enabled, password and directory set).</summary>
    public bool IsActive { get; }

    /// <summary>Request buffers dropped because the queue was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    /// <summary>Request buffers the loop has handled (written or failed).</summary>
    public long WrittenCount => Interlocked.Read(ref _writtenCount);

    /// <summary>Queues a finished request's buffer. Returns false when inactive, shutting down or full (then counted and logged).</summary>
    public bool TryEnqueue(SessionLogBuffer buffer)
    {
        if (!IsActive)
        {
            return false;
        }

        if (_channel.Writer.TryWrite(buffer))
        {
            return true;
        }

        if (!_stopping.IsCancellationRequested)
        {
            SessionLogLog.QueueFull(_logger, Interlocked.Increment(ref _droppedCount));
        }

        return false;
    }

    /// <summary>Stops accepting buffers and waits until the queued ones are written, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
            throw;
        }
    }

    /// <summary>Drains without a deadline.</summary>
    public async ValueTask DisposeAsync()
    {
        await DrainAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private static Task WriteArchiveAsync(SessionLogArchiveWriter writer, SessionLogBuffer buffer)
    {
        // The loop runs on the thread pool, so the synchronous zip and file work never touches a request thread.
        writer.Write(buffer.Ids, buffer.ToArray());
        return Task.CompletedTask;
    }

    private async Task ProcessAsync()
    {
        await foreach (var buffer in _channel.Reader.ReadAllAsync())
        {
            try
            {
                await _write(buffer, _stopping.Token);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                SessionLogLog.ArchiveWriteFailed(_logger, exception);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                Interlocked.Increment(ref _writtenCount);
            }
        }
    }
}
