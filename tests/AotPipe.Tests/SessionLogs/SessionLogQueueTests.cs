using AotPipe.SessionLogs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.SessionLogs;

public sealed class SessionLogQueueTests
{
    private static readonly SessionLogOptions s_active = new(true, "/nonexistent-unused", "pw", SessionLogFormat.Jsonl, 100, 90, 3600);

    private static SessionLogBuffer Buffer(int i) => new(new SessionLogIds("u", null, "c", "m" + i, "r" + i), 10);

    [Fact]
    public async Task Full_DropsWithWarningAndCounts()
    {
        var logger = new CollectingLogger();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<string>();
        await using var queue = new SessionLogQueue(s_active, async (buffer, _) =>
        {
            started.TrySetResult();
            await release.Task;
            lock (written)
            {
                written.Add(buffer.Ids.RequestId);
            }
        }, logger, capacity: 2);

        Assert.True(queue.TryEnqueue(Buffer(0)));
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        Assert.True(queue.TryEnqueue(Buffer(1)));
        Assert.True(queue.TryEnqueue(Buffer(2)));
        Assert.False(queue.TryEnqueue(Buffer(3)));
        Assert.False(queue.TryEnqueue(Buffer(4)));
        Assert.Equal(2, queue.DroppedCount);
        Assert.Equal(2, logger.Events.Count(e => e.Level == LogLevel.Warning && e.EventId.Name == "SessionLogQueueFull"));

        release.SetResult();
        await queue.DrainAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["r0", "r1", "r2"], written);
        Assert.Equal(3, queue.WrittenCount);
    }

    [Fact]
    public async Task Drain_WritesEverythingQueuedAndRefusesMore()
    {
        int count = 0;
        var queue = new SessionLogQueue(s_active, (_, _) =>
        {
            Interlocked.Increment(ref count);
            return Task.CompletedTask;
        }, new CollectingLogger(), capacity: 100);
        for (int i = 0; i < 50; i++)
        {
            Assert.True(queue.TryEnqueue(Buffer(i)));
        }

        await queue.DrainAsync(TestContext.Current.CancellationToken);
        Assert.Equal(50, count);
        Assert.False(queue.TryEnqueue(Buffer(99)));
        await queue.DisposeAsync();
    }

    [Fact]
    public async Task WriteFailure_IsLoggedAndTheLoopContinues()
    {
        var logger = new CollectingLogger();
        int calls = 0;
        await using var queue = new SessionLogQueue(s_active, (_, _) =>
            Interlocked.Increment(ref calls) == 1 ? throw new IOException("disk full") : Task.CompletedTask, logger, capacity: 10);
        queue.TryEnqueue(Buffer(0));
        queue.TryEnqueue(Buffer(1));
        await queue.DrainAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, calls);
        Assert.Single(logger.Events, e => e.EventId.Name == "SessionLogArchiveWriteFailed");
    }

    [Theory]
    [InlineData(null, "dir")]
    [InlineData("pw", "")]
    public async Task MissingPasswordOrDirectory_SkipsWithOneWarning(string? password, string directory)
    {
        var logger = new CollectingLogger();
        var options = new SessionLogOptions(true, directory, password, SessionLogFormat.Jsonl, 100, 90, 3600);
        await using var queue = new SessionLogQueue(options, new SessionLogArchiveWriter(options, new FakeTimeProvider(), logger), logger);
        Assert.False(queue.IsActive);
        Assert.False(queue.TryEnqueue(Buffer(0)));
        Assert.False(queue.TryEnqueue(Buffer(1)));
        Assert.Single(logger.Events, e => e.Level == LogLevel.Warning && e.EventId.Name == "SessionLogArchivesSkipped");
    }

    [Fact]
    public async Task Disabled_IsSilent()
    {
        var logger = new CollectingLogger();
        var options = new SessionLogOptions(false, "dir", null, SessionLogFormat.Jsonl, 100, 90, 3600);
        await using var queue = new SessionLogQueue(options, (_, _) => Task.CompletedTask, logger, capacity: 1);
        Assert.False(queue.TryEnqueue(Buffer(0)));
        Assert.Empty(logger.Events);
    }
}
