using AotPipe.Errors;
using AotPipe.Streaming;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Streaming;

public sealed class RelayTimerTests
{
    private static readonly TimeSpan s_idle = TimeSpan.FromSeconds(10);

    [Fact]
    public void ArmedForLessThanIdle_DoesNotCancel()
    {
        var time = new FakeTimeProvider();
        using var timer = new RelayTimer(CancellationToken.None, CancellationToken.None, s_idle, time);
        timer.ArmIdle();
        time.Advance(s_idle - TimeSpan.FromMilliseconds(1));
        Assert.False(timer.Token.IsCancellationRequested);
    }

    [Fact]
    public void ArmedForIdle_CancelsAsIdleTimeout()
    {
        var time = new FakeTimeProvider();
        using var timer = new RelayTimer(CancellationToken.None, CancellationToken.None, s_idle, time);
        timer.ArmIdle();
        time.Advance(s_idle);
        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(GatewayError.UpstreamIdleTimeout, timer.Classify());
    }

    [Fact]
    public void Rearmed_CountsFromTheLastArm()
    {
        var time = new FakeTimeProvider();
        using var timer = new RelayTimer(CancellationToken.None, CancellationToken.None, s_idle, time);
        timer.ArmIdle();
        time.Advance(TimeSpan.FromSeconds(6));
        timer.DisarmIdle();
        timer.ArmIdle();
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(timer.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(1));
        Assert.False(timer.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(timer.Token.IsCancellationRequested);
    }

    [Fact]
    public void Disarmed_NeverCancelsHoweverLong()
    {
        var time = new FakeTimeProvider();
        using var timer = new RelayTimer(CancellationToken.None, CancellationToken.None, s_idle, time);
        timer.ArmIdle();
        timer.DisarmIdle();
        for (var i = 0; i < 5; i++)
        {
            time.Advance(s_idle);
        }

        Assert.False(timer.Token.IsCancellationRequested);
        timer.ArmIdle();
        time.Advance(s_idle);
        Assert.True(timer.Token.IsCancellationRequested);
    }

    [Fact]
    public void ClientGoneAndShutdown_AreClassifiedBeforeIdle()
    {
        using var client = new CancellationTokenSource();
        using var shutdown = new CancellationTokenSource();
        using var timer = new RelayTimer(client.Token, shutdown.Token, s_idle, new FakeTimeProvider());
        shutdown.Cancel();
        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Equal(GatewayError.ShuttingDown, timer.Classify());
        client.Cancel();
        Assert.Equal(GatewayError.None, timer.Classify());
    }

    [Fact]
    public void InfiniteIdle_NeverCancels()
    {
        var time = new FakeTimeProvider();
        using var timer = new RelayTimer(CancellationToken.None, CancellationToken.None, Timeout.InfiniteTimeSpan, time);
        timer.ArmIdle();
        time.Advance(TimeSpan.FromDays(3));
        Assert.False(timer.Token.IsCancellationRequested);
    }

    [Fact]
    public void DisposedWhileArmed_TimerDoesNotThrow()
    {
        var time = new FakeTimeProvider();
        var timer = new RelayTimer(CancellationToken.None, CancellationToken.None, s_idle, time);
        timer.ArmIdle();
        timer.Dispose();
        time.Advance(s_idle * 2);
    }
}
