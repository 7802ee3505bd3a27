using System.IO.Pipelines;

namespace AotPipe.Streaming;

/// <summary>Writes <c>: keep-alive</c> to the client after <see cref="Interval"/> without any upstream byte.</summary>
/// <remarks>
/// Reverse proxies in front of the gateway cut streams that stay silent too long (DESIGN.md section 2). The relay loop
/// re-arms the timer after every upstream read and holds <see cref="WriteLock"/> while it writes, so the timer's comment
/// never interleaves with an event; an uncontended <see cref="SemaphoreSlim.WaitAsync()"/> completes synchronously.
/// </remarks>
public sealed class KeepAliveTicker : IDisposable
{
    /// <summary>Silence after which the gateway speaks.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(15);

    private readonly PipeWriter _client;
    private readonly StreamEventSink _sink;
    private readonly ITimer _timer;
    private int _disposed;

    /// <summary>Creates a disarmed ticker.</summary>
    public KeepAliveTicker(PipeWriter client, StreamEventSink sink, TimeSpan interval, TimeProvider time)
    {
        _client = client;
        _sink = sink;
        Interval = interval;
        _timer = time.CreateTimer(static state => _ = ((KeepAliveTicker)state!).TickAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The silence interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Serialises writes to the client between the relay loop and the timer.</summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Keep-alives written so far.</summary>
    public int Count { get; private set; }

    /// <summary>Restarts the silence countdown (called after every upstream read).</summary>
    public void Rearm()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _timer.Change(Interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _timer.Dispose();
        }
    }

    private async Task TickAsync()
    {
        // The loop is writing: it is not silent, so skip this tick.
        if (Volatile.Read(ref _disposed) != 0 || !await WriteLock.WaitAsync(0))
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            _sink.WriteKeepAlive(_client);
            Count++;
            await _client.FlushAsync();
            Rearm();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The client is gone; the relay loop notices on its own.
        }
        finally
        {
            WriteLock.Release();
        }
    }
}
