using AotPipe.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Persistence;

public sealed class ArtifactBatchWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aotpipe-writer-").FullName;
    private readonly FakeBatchSink _sink = new();
    private readonly PersistenceCounters _counters = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ArtifactBatchWriter NewWriter(int batchSize = 256, TimeSpan? window = null, TimeSpan? spillAfter = null, long maxSpill = ArtifactStoreOptions.DefaultMaxSpillBytes, TimeProvider? time = null)
    {
        Assert.True(ArtifactTableName.TryCreate("writer_tests", null, out var table, out _));
        var options = new ArtifactStoreOptions
        {
            DataDirectory = _dir,
            BatchSize = batchSize,
            BatchWindow = window ?? TimeSpan.Zero,
            SpillAfter = spillAfter ?? TimeSpan.FromMilliseconds(100),
            RetryInitialDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
            MaxSpillBytes = maxSpill,
        };
        return new ArtifactBatchWriter(_sink, table, options, time ?? TimeProvider.System, NullLogger.Instance, _counters);
    }

    private static ArtifactRecord Row(int i, string payload = "{}") => SpillJournalTests.Row("ID" + i.ToString("D4"), payload: payload);

    [Fact]
    public async Task Append_ConcurrentCallers_ShareOneBatch()
    {
        await using var writer = NewWriter(batchSize: 1000);
        // Deterministic: every caller is queued before the consumer starts.
        var appends = Enumerable.Range(0, 300).Select(i => writer.AppendAsync(Row(i), Ct).AsTask()).ToList();
        await writer.StartAsync();
        var results = await Task.WhenAll(appends);
        Assert.All(results, r => Assert.Equal(ArtifactWriteResult.Committed, r));
        Assert.Equal(300, _sink.Rows.Count);
        Assert.Equal(1, _sink.Transactions);
        Assert.Equal(1, _counters.Batches);
        Assert.Equal(300, _counters.Rows);
    }

    // Bounds a wait on a real clock only so that a regression fails instead of hanging; the fake clock never moves.
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Append_IdleWriter_FlushesAtOnceWithoutWaitingForTheWindow()
    {
        var time = new FakeTimeProvider();
        await using var writer = NewWriter(window: TimeSpan.FromMilliseconds(ArtifactStoreOptions.DefaultBatchWindowMs), time: time);
        await writer.StartAsync();
        var result = await writer.AppendAsync(Row(1), Ct).AsTask().WaitAsync(s_hangGuard, Ct);
        Assert.Equal(ArtifactWriteResult.Committed, result);
        Assert.Equal(1, _sink.Transactions);
    }

    [Fact]
    public async Task Append_RowsArrivingDuringAFlush_FormTheNextBatch()
    {
        var time = new FakeTimeProvider();
        await using var writer = NewWriter(window: TimeSpan.FromMilliseconds(ArtifactStoreOptions.DefaultBatchWindowMs), time: time);
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new List<int>();
        writer.BeforeBatchAsync = async (number, count) =>
        {
            sizes.Add(count);
            if (number == 1)
            {
                inFlight.SetResult();
                await release.Task;
            }
        };
        await writer.StartAsync();
        var first = writer.AppendAsync(Row(0), Ct).AsTask();
        await inFlight.Task.WaitAsync(s_hangGuard, Ct);
        var queued = Enumerable.Range(1, 3).Select(i => writer.AppendAsync(Row(i), Ct).AsTask()).ToList();
        release.SetResult();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(s_hangGuard, Ct);
        Assert.All(results, r => Assert.Equal(ArtifactWriteResult.Committed, r));
        Assert.Equal([1, 3], sizes);
        Assert.Equal(2, _sink.Transactions);
    }

    [Fact]
    public async Task Append_QueueRefilledFasterThanTaken_WindowStillBoundsTheFill()
    {
        // Every clock read advances the fake clock 1 ms: a 5 ms window closes after a handful of rows, far below the size.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        await using var writer = NewWriter(batchSize: 1000, window: TimeSpan.FromMilliseconds(5), time: time);
        var sizes = new List<int>();
        writer.BeforeBatchAsync = (_, count) =>
        {
            sizes.Add(count);
            return ValueTask.CompletedTask;
        };
        var appends = Enumerable.Range(0, 40).Select(i => writer.AppendAsync(Row(i), Ct).AsTask()).ToList();
        await writer.StartAsync();
        Assert.All(await Task.WhenAll(appends).WaitAsync(s_hangGuard, Ct), r => Assert.Equal(ArtifactWriteResult.Committed, r));
        Assert.True(sizes.Count > 1, $"one batch of {sizes.Sum()} rows: the window did not bound the fill");
        Assert.All(sizes, size => Assert.InRange(size, 1, 6));
    }

    [Theory]
    [InlineData(10, 10, 1)] // at the limit: one batch
    [InlineData(11, 10, 2)] // one past: a second batch
    [InlineData(26, 10, 3)]
    public async Task Append_BatchSizeLimit_BatchesHoldAtMostLimit(int rows, int batchSize, int expectedBatches)
    {
        await using var writer = NewWriter(batchSize: batchSize);
        var appends = Enumerable.Range(0, rows).Select(i => writer.AppendAsync(Row(i), Ct).AsTask()).ToList();
        await writer.StartAsync();
        await Task.WhenAll(appends);
        Assert.Equal(expectedBatches, _sink.Transactions);
    }

    [Fact]
    public async Task Append_PoisonRow_IsolatedAndQuarantined_OthersCommitted()
    {
        _sink.PoisonIds.Add("ID0013");
        await using var writer = NewWriter();
        var appends = Enumerable.Range(0, 32).Select(i => writer.AppendAsync(Row(i), Ct).AsTask()).ToList();
        await writer.StartAsync();
        var results = await Task.WhenAll(appends);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i == 13 ? ArtifactWriteResult.Rejected : ArtifactWriteResult.Committed, results[i]);
        }

        Assert.Equal(31, _sink.Rows.Count);
        Assert.Equal(1, _counters.QuarantinedRows);
        Assert.Equal(["ID0013"], writer.Quarantine.ReadAll(out _).Select(r => r.Id));
    }

    [Fact]
    public async Task Append_SameIdDifferentPayload_ReportsConflict_SamePayloadCommits()
    {
        await using var writer = NewWriter();
        await writer.StartAsync();
        Assert.Equal(ArtifactWriteResult.Committed, await writer.AppendAsync(Row(1, "{\"v\":1}"), Ct));
        Assert.Equal(ArtifactWriteResult.Committed, await writer.AppendAsync(Row(1, "{\"v\":1}"), Ct));
        Assert.Equal(ArtifactWriteResult.IdConflict, await writer.AppendAsync(Row(1, "{\"v\":2}"), Ct));
        Assert.Equal(1, _counters.IdConflicts);
    }

    [Fact]
    public async Task Append_LostAcknowledgement_RetriedOnceStoredOnce()
    {
        _sink.LoseNextAcknowledgement = true;
        await using var writer = NewWriter();
        await writer.StartAsync();
        Assert.Equal(ArtifactWriteResult.Committed, await writer.AppendAsync(Row(1), Ct));
        Assert.Single(_sink.Rows);
        Assert.Equal(1, _counters.Retries);
    }

    [Fact]
    public async Task Append_DatabaseDown_SpillsThenReplaysOnRecovery()
    {
        await using var writer = NewWriter();
        var replayed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.JournalReplayed += n => replayed.TrySetResult(n);
        await writer.StartAsync();
        _sink.IsDown = true;
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => writer.AppendAsync(Row(i), Ct).AsTask()));
        Assert.All(results, r => Assert.Equal(ArtifactWriteResult.Spilled, r));
        // Acknowledged only after the rows were in the journal.
        Assert.Equal(20, writer.Journal.PendingRecords);
        Assert.Equal(StoreState.Degraded, writer.State);
        Assert.Empty(_sink.Rows);

        _sink.IsDown = false;
        Assert.Equal(20, await replayed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(20, _sink.Rows.Count);
        Assert.Equal(0, writer.Journal.PendingRecords);
        Assert.Equal(StoreState.Healthy, writer.State);
    }

    [Fact]
    public async Task Start_JournalFromEarlierRun_ReplayedBeforeStartReturns()
    {
        await using (var first = NewWriter())
        {
            first.Journal.TryAppend([Row(1), Row(2)]);
        }

        await using var second = NewWriter();
        await second.StartAsync();
        Assert.Equal(2, _sink.Rows.Count);
        Assert.Equal(0, second.Journal.PendingRecords);
    }

    [Fact]
    public async Task Append_DownAndJournalFull_UnavailableAndUnhealthy()
    {
        await using var writer = NewWriter(maxSpill: 10);
        await writer.StartAsync();
        _sink.IsDown = true;
        Assert.Equal(ArtifactWriteResult.Unavailable, await writer.AppendAsync(Row(1), Ct));
        Assert.Equal(StoreState.Unhealthy, writer.State);
    }

    [Fact]
    public async Task Dispose_DrainsQueuedRows()
    {
        var writer = NewWriter(window: TimeSpan.FromMilliseconds(500));
        await writer.StartAsync();
        var appends = Enumerable.Range(0, 50).Select(i => writer.AppendAsync(Row(i), Ct).AsTask()).ToList();
        await writer.DisposeAsync();
        Assert.All(await Task.WhenAll(appends), r => Assert.Equal(ArtifactWriteResult.Committed, r));
        Assert.Equal(50, _sink.Rows.Count);
    }

    [Fact]
    public async Task Dispose_DatabaseDown_SpillsAtOnceInsteadOfRetrying()
    {
        var writer = NewWriter(spillAfter: TimeSpan.FromHours(1));
        await writer.StartAsync();
        _sink.IsDown = true;
        var append = writer.AppendAsync(Row(1), Ct).AsTask();
        await writer.DisposeAsync();
        Assert.Equal(ArtifactWriteResult.Spilled, await append);
    }
}
