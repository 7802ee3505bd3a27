using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace AotPipe.Tests.Ingestion;

/// <summary>A FakeTimeProvider that reports each timer's due time, so a test advances time only once the code waits.</summary>
internal sealed class TimerSignalingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _created.Writer.TryWrite(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Waits (bounded by a real-time safety net) until a timer with exactly <paramref name="dueTime"/> exists, then advances by it.</summary>
    public async Task AdvanceWhenWaitingAsync(TimeSpan dueTime)
    {
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await _created.Reader.ReadAsync(safety.Token) != dueTime)
        {
        }

        Advance(dueTime);
    }
}
