using AotPipe.Hosting;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Hosting;

public sealed class LongDelayTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public void TaskDelay_RefusesWaitsPastOneTimerStep()
    {
        // Why LongDelay exists: one step longer than the runtime's timer limit throws instead of waiting.
        var time = new FakeTimeProvider();
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Task.Delay(LongDelay.MaxStep + TimeSpan.FromMilliseconds(1), time); });
        _ = Task.Delay(LongDelay.MaxStep, time);
    }

    [Fact]
    public async Task Wait_ShorterThanOneStep_EndsWhenDue()
    {
        var time = new FakeTimeProvider();
        var wait = LongDelay.WaitAsync(TimeSpan.FromHours(1), time, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(1));
        await wait.WaitAsync(s_hangGuard, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(8760 * 60)] // ARTIFACT_CLEANUP_INTERVAL_HOURS at its maximum, a year
    [InlineData(100 * 24 * 60)]
    public async Task Wait_LongerThanOneStep_WaitsTheWholeTime(int minutes)
    {
        var time = new FakeTimeProvider();
        var delay = TimeSpan.FromMinutes(minutes);
        var wait = LongDelay.WaitAsync(delay, time, CancellationToken.None);

        // Step by step to one minute short: each timer step fires on the way, the wait must not end early.
        var elapsed = TimeSpan.Zero;
        while (elapsed < delay - TimeSpan.FromMinutes(1))
        {
            var step = TimeSpan.FromDays(10) < delay - TimeSpan.FromMinutes(1) - elapsed ? TimeSpan.FromDays(10) : delay - TimeSpan.FromMinutes(1) - elapsed;
            time.Advance(step);
            elapsed += step;
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));
        await wait.WaitAsync(s_hangGuard, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Wait_Cancelled_Throws()
    {
        var time = new FakeTimeProvider();
        using var cancel = new CancellationTokenSource();
        var wait = LongDelay.WaitAsync(TimeSpan.FromDays(200), time, cancel.Token);
        time.Advance(TimeSpan.FromDays(60));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(s_hangGuard, TestContext.Current.CancellationToken));
    }
}
