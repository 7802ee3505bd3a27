using AotPipe.SessionLogs;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AotPipe.Tests.SessionLogs;

public sealed class SessionLogBufferTests
{
    private static readonly SessionLogIds s_ids = new("u", "s", "c", "m", "req-1");

    private static void AppendMany(SessionLogBuffer buffer, int count)
    {
        for (int i = 0; i < count; i++)
        {
            buffer.Append(DateTimeOffset.UnixEpoch.AddSeconds(i), LogLevel.Information, "Cat", new EventId(i, "E"), "message " + i, null);
        }
    }

    [Fact]
    public void AtLimit_KeepsEverything()
    {
        var buffer = new SessionLogBuffer(s_ids, maxLines: 5);
        AppendMany(buffer, 5);
        Assert.Equal(5, buffer.Count);
        Assert.Equal(0, buffer.DroppedCount);
        Assert.Equal([0L, 1, 2, 3, 4], buffer.ToArray().Select(e => e.Sequence));
    }

    [Fact]
    public void PastLimit_DropsOldestAndCounts()
    {
        var buffer = new SessionLogBuffer(s_ids, maxLines: 5);
        AppendMany(buffer, 7);
        Assert.Equal(5, buffer.Count);
        Assert.Equal(2, buffer.DroppedCount);
        var events = buffer.ToArray();
        Assert.Equal([2L, 3, 4, 5, 6], events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal("req-1", e.RequestId));
        Assert.Equal("message 6", events[^1].Message);
    }

    [Fact]
    public async Task ConcurrentAppends_AreAllCountedWithUniqueSequences()
    {
        var buffer = new SessionLogBuffer(s_ids, maxLines: 100_000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => AppendMany(buffer, 1000), TestContext.Current.CancellationToken)));
        var events = buffer.ToArray();
        Assert.Equal(8000, events.Length);
        Assert.Equal(8000, events.Select(e => e.Sequence).Distinct().Count());
    }

    [Fact]
    public void Rebind_SameRequestId_ReplacesIds()
    {
        var buffer = new SessionLogBuffer(s_ids, maxLines: 5);
        buffer.Rebind(s_ids with { Tenant = "team-a" });
        Assert.Equal("team-a", buffer.Ids.Tenant);
    }

    [Fact]
    public void Rebind_OtherRequestId_Throws()
    {
        var buffer = new SessionLogBuffer(s_ids, maxLines: 5);
        Assert.Throws<ArgumentException>(() => buffer.Rebind(s_ids with { RequestId = "req-2" }));
        Assert.Equal("req-1", buffer.Ids.RequestId);
    }
}
