using System.Diagnostics;
using AotPipe.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.IntegrationTests.Persistence;

/// <summary>The store contract, run unchanged against every store (PostgreSQL and SQLite subclasses).</summary>
public abstract class ArtifactStoreContractTests : IAsyncLifetime
{
    private readonly List<IArtifactStore> _stores = [];

    protected ArtifactStoreContractTests()
    {
        DataDirectory = Directory.CreateTempSubdirectory("aotpipe-store-").FullName;
        PipeId = "t_" + Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>Longest wait on anything in a test: a stuck writer fails the test instead of hanging the run.</summary>
    protected static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected string DataDirectory { get; }

    protected string PipeId { get; }

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A new store instance on the shared backing (same database or file, same table for the same PIPE_ID).</summary>
    private protected abstract IArtifactStore CreateStore(ArtifactTableName table, ArtifactStoreOptions options, TimeProvider time);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private protected ArtifactStoreOptions Options(string? dataDirectory = null) => new()
    {
        DataDirectory = dataDirectory ?? DataDirectory,
        // A fake clock never ends a batch window, so batches form from what is queued (natural group commit).
        BatchWindow = TimeSpan.Zero,
    };

    private protected async Task<IArtifactStore> NewStoreAsync(string? dataDirectory = null, TimeProvider? time = null, bool initialize = true)
    {
        Assert.True(ArtifactTableName.TryCreate(PipeId, "contract-key", out var table, out _));
        var store = CreateStore(table, Options(dataDirectory), time ?? Time);
        _stores.Add(store);
        if (initialize)
        {
            await store.InitializeAsync(Ct);
        }

        return store;
    }

    private protected ArtifactRecord Row(string id, string? scope = "tenant/alice", string chat = "chat-1", string payload = "{\"ciphertext\":\"AAAA\",\"enc_v\":2}", DateTimeOffset? created = null) =>
        new(id, scope, chat, "msg-1", "openai/gpt-5", "reasoning", payload, true, created ?? Time.GetUtcNow());

    private static string NewId() => Artifacts.ArtifactId.NewId();

    [Fact]
    public async Task Append_ThenFetch_RoundTripsEveryField()
    {
        var store = await NewStoreAsync();
        var row = Row(NewId(), payload: "{\"ciphertext\":\"Zm9v\",\"enc_v\":2,\"ü\":\"😀\"}");
        Assert.Equal(ArtifactWriteResult.Committed, await store.AppendAsync(row, Ct));
        var plain = row with { Id = NewId(), ModelId = null, IsEncrypted = false, Payload = "{\"type\":\"reasoning\",\"summary\":[]}" };
        Assert.Equal(ArtifactWriteResult.Committed, await store.AppendAsync(plain, Ct));

        var fetched = await store.FetchAsync("tenant/alice", "chat-1", [row.Id, plain.Id, NewId()], Ct);
        Assert.Equal(2, fetched.Count);
        Assert.Equal(row, fetched.Single(r => r.Id == row.Id));
        Assert.Equal(plain, fetched.Single(r => r.Id == plain.Id));
    }

    [Fact]
    public async Task Fetch_OtherScopeCopiesId_ResolvesToNothing()
    {
        var store = await NewStoreAsync();
        var id = NewId();
        await store.AppendAsync(Row(id, scope: "tenant/alice"), Ct);
        Assert.Empty(await store.FetchAsync("tenant/mallory", "chat-1", [id], Ct));
        Assert.Empty(await store.FetchAsync("other/alice", "chat-1", [id], Ct));
        Assert.Empty(await store.FetchAsync("tenant/alice", "chat-2", [id], Ct));
        Assert.Single(await store.FetchAsync("tenant/alice", "chat-1", [id], Ct));
    }

    [Fact]
    public async Task Fetch_LegacyRowWithoutScope_ResolvedByChatAlone()
    {
        var store = await NewStoreAsync();
        var id = NewId();
        await store.AppendAsync(Row(id, scope: null, chat: "legacy-chat"), Ct);
        Assert.Single(await store.FetchAsync("tenant/alice", "legacy-chat", [id], Ct));
        Assert.Single(await store.FetchAsync("tenant/bob", "legacy-chat", [id], Ct));
        Assert.Empty(await store.FetchAsync("tenant/alice", "other-chat", [id], Ct));
    }

    [Fact]
    public async Task Fetch_NoIds_ReturnsEmpty()
    {
        var store = await NewStoreAsync();
        Assert.Empty(await store.FetchAsync("tenant/alice", "chat-1", [], Ct));
    }

    [Fact]
    public async Task Append_SameIdSameContent_Idempotent_DifferentPayload_Conflict()
    {
        var store = await NewStoreAsync();
        var row = Row(NewId());
        Assert.Equal(ArtifactWriteResult.Committed, await store.AppendAsync(row, Ct));
        Assert.Equal(ArtifactWriteResult.Committed, await store.AppendAsync(row, Ct));
        Assert.Equal(ArtifactWriteResult.IdConflict, await store.AppendAsync(row with { Payload = "{\"other\":true}" }, Ct));
        Assert.Equal(ArtifactWriteResult.IdConflict, await store.AppendAsync(row with { Scope = "tenant/mallory" }, Ct));
        Assert.Equal(row.Payload, (await store.FetchAsync("tenant/alice", "chat-1", [row.Id], Ct)).Single().Payload);
    }

    [Fact]
    public async Task Append_HundredsOfConcurrentCallers_ShareFewBatches()
    {
        var store = await NewStoreAsync();
        var rows = Enumerable.Range(0, 400).Select(_ => Row(NewId())).ToList();
        var results = await Task.WhenAll(rows.Select(r => store.AppendAsync(r, Ct).AsTask()));
        Assert.All(results, r => Assert.Equal(ArtifactWriteResult.Committed, r));
        Assert.Equal(400, (await store.FetchAsync("tenant/alice", "chat-1", rows.ConvertAll(r => r.Id), Ct)).Count);
        TestContext.Current.TestOutputHelper?.WriteLine($"{store.Name}: 400 rows in {store.Counters.Batches} batches");
        Assert.True(store.Counters.Batches < 400, $"expected shared batches, got {store.Counters.Batches}");
    }

    [Fact]
    public async Task Append_PoisonRow_IsolatedAndRejected_OthersCommitted()
    {
        // The real clock: should a write fail for another reason (a busy server), the retry backoff must elapse.
        var store = await NewStoreAsync(time: TimeProvider.System, initialize: false);
        await store.InitializeAsync(Ct);
        var writer = WriterOf(store);
        var rows = Enumerable.Range(0, 40).Select(i => Row(NewId(), payload: i == 17 ? "{not json" : "{\"i\":" + i + "}")).ToList();
        // Hold the first batch so that all 40 rows queue up and travel together in the second. The rows are queued only
        // once the first batch is held: group commit takes everything queued, so rows queued earlier could join the
        // warm-up batch, and the queue would then never reach 40.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.BeforeBatchAsync = async (n, _) =>
        {
            if (n == 1)
            {
                held.SetResult();
                await release.Task;
            }
        };
        var warmup = store.AppendAsync(Row(NewId()), Ct).AsTask();
        await held.Task.WaitAsync(HangGuard, Ct);
        var appends = rows.Select(r => store.AppendAsync(r, Ct).AsTask()).ToList();
        var queued = Stopwatch.StartNew();
        while (writer.QueuedRows < rows.Count)
        {
            Assert.True(queued.Elapsed < HangGuard, $"only {writer.QueuedRows} of {rows.Count} rows queued");
            await Task.Delay(1, Ct);
        }

        release.SetResult();
        await warmup.WaitAsync(HangGuard, Ct);
        var results = await Task.WhenAll(appends).WaitAsync(HangGuard, Ct);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(i == 17 ? ArtifactWriteResult.Rejected : ArtifactWriteResult.Committed, results[i]);
        }

        Assert.Equal(39, (await store.FetchAsync("tenant/alice", "chat-1", rows.ConvertAll(r => r.Id), Ct)).Count);
        Assert.Equal(1, store.Counters.QuarantinedRows);
        Assert.Equal([rows[17].Id], writer.Quarantine.ReadAll(out _).Select(r => r.Id));
    }

    [Fact]
    public async Task Delete_RemovesOnlyRowsVisibleToScopeAndChat()
    {
        var store = await NewStoreAsync();
        var mine = Row(NewId());
        var theirs = Row(NewId(), scope: "tenant/bob");
        await store.AppendAsync(mine, Ct);
        await store.AppendAsync(theirs, Ct);
        await store.DeleteAsync("tenant/alice", "chat-1", [mine.Id, theirs.Id], Ct);
        Assert.Empty(await store.FetchAsync("tenant/alice", "chat-1", [mine.Id], Ct));
        Assert.Single(await store.FetchAsync("tenant/bob", "chat-1", [theirs.Id], Ct));
    }

    [Fact]
    public async Task DeleteOlderThan_DeletesInBoundedBatches()
    {
        var store = await NewStoreAsync();
        var old = Time.GetUtcNow() - TimeSpan.FromDays(100);
        var oldRows = Enumerable.Range(0, 25).Select(_ => Row(NewId(), created: old)).ToList();
        var newRows = Enumerable.Range(0, 5).Select(_ => Row(NewId())).ToList();
        await Task.WhenAll(oldRows.Concat(newRows).Select(r => store.AppendAsync(r, Ct).AsTask()));

        Assert.Equal(25, await store.DeleteOlderThanAsync(Time.GetUtcNow() - TimeSpan.FromDays(90), batchSize: 10, Ct));
        Assert.Equal(5, (await store.FetchAsync("tenant/alice", "chat-1", oldRows.Concat(newRows).Select(r => r.Id).ToList(), Ct)).Count);
    }

    [Fact]
    public async Task Retention_WithFakeClock_DeletesUnreadRows_KeepsRecentlyReadOnes()
    {
        var store = await NewStoreAsync();
        var read = Row(NewId());
        var unread = Row(NewId());
        await store.AppendAsync(read, Ct);
        await store.AppendAsync(unread, Ct);
        // The sweep interval is chosen so that the second sweep is due at day 94.5 (90 days plus half the 10% jitter):
        // after the 80-day step, and late enough that whenever it reads the clock (day 94.5 to 100) its cutoff falls
        // between the unread row (day 0) and the read one (day 80). With a one-hour interval the 80-day step itself fired
        // a sweep, and the outcome depended on whether it read the clock before or after the 20-day step.
        var retention = new ArtifactRetention(store, TimeSpan.FromDays(90), TimeSpan.FromDays(90), Time, NullLogger.Instance, jitter: () => 0.5);
        var completed = System.Threading.Channels.Channel.CreateUnbounded<int>();
        retention.SweepCompleted += n => completed.Writer.TryWrite(n);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var loop = retention.RunAsync(stop.Token);
        Assert.Equal(1, await completed.Reader.ReadAsync(Ct).AsTask().WaitAsync(HangGuard, Ct));

        // 80 days on, one row is read: reading refreshes created_at (retention counts from the last access).
        Time.Advance(TimeSpan.FromDays(80));
        Assert.Single(await store.FetchAsync("tenant/alice", "chat-1", [read.Id], Ct));
        Time.Advance(TimeSpan.FromDays(20));
        Assert.Equal(2, await completed.Reader.ReadAsync(Ct).AsTask().WaitAsync(HangGuard, Ct));

        Assert.Single(await store.FetchAsync("tenant/alice", "chat-1", [read.Id], Ct));
        Assert.Empty(await store.FetchAsync("tenant/alice", "chat-1", [unread.Id], Ct));
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task Initialize_TwoInstancesConcurrently_BothWork_WriteViaOneReadViaOther()
    {
        var first = await NewStoreAsync(initialize: false);
        var second = await NewStoreAsync(dataDirectory: Path.Combine(DataDirectory, "second"), initialize: false);
        await Task.WhenAll(first.InitializeAsync(Ct), second.InitializeAsync(Ct));
        var row = Row(NewId());
        Assert.Equal(ArtifactWriteResult.Committed, await first.AppendAsync(row, Ct));
        Assert.Equal(row, (await second.FetchAsync("tenant/alice", "chat-1", [row.Id], Ct)).Single());
    }

    [Fact]
    public async Task Initialize_JournalLeftByEarlierRun_ReplayedAtStartUp()
    {
        Assert.True(ArtifactTableName.TryCreate(PipeId, "contract-key", out var table, out _));
        var rows = Enumerable.Range(0, 3).Select(_ => Row(NewId())).ToList();
        var journal = new SpillJournal(Path.Combine(DataDirectory, "spill", table.Name + ".journal"), long.MaxValue);
        Assert.True(journal.TryAppend(rows));

        var store = await NewStoreAsync();
        Assert.Equal(3, (await store.FetchAsync("tenant/alice", "chat-1", rows.ConvertAll(r => r.Id), Ct)).Count);
        Assert.Equal(0, store.GetHealth().PendingSpilledRows);
        Assert.Equal(StoreState.Healthy, store.GetHealth().State);
    }

    [Fact]
    public async Task Dispose_DrainsQueuedAppends()
    {
        var store = await NewStoreAsync();
        var rows = Enumerable.Range(0, 50).Select(_ => Row(NewId())).ToList();
        var appends = rows.Select(r => store.AppendAsync(r, Ct).AsTask()).ToList();
        await store.DisposeAsync();
        Assert.All(await Task.WhenAll(appends), r => Assert.Equal(ArtifactWriteResult.Committed, r));

        var reopened = await NewStoreAsync();
        Assert.Equal(50, (await reopened.FetchAsync("tenant/alice", "chat-1", rows.ConvertAll(r => r.Id), Ct)).Count);
    }

    [Fact]
    public async Task Health_BeforeInitialize_Unhealthy_After_Healthy()
    {
        var store = await NewStoreAsync(initialize: false);
        Assert.Equal(StoreState.Unhealthy, store.GetHealth().State);
        await store.InitializeAsync(Ct);
        var health = store.GetHealth();
        Assert.Equal(StoreState.Healthy, health.State);
        Assert.Equal(store.Name, health.Name);
    }

    private static ArtifactBatchWriter WriterOf(IArtifactStore store) => store switch
    {
        PostgresArtifactStore pg => pg.Writer,
        SqliteArtifactStore sqlite => sqlite.Writer,
        _ => throw new InvalidOperationException(),
    };
}
