using AotPipe.Artifacts;
using AotPipe.Persistence;
using AotPipe.TestKit.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace AotPipe.IntegrationTests.Persistence;

/// <summary>The store contract against a real PostgreSQL 15, plus the fault tests only a real server can show.</summary>
[Collection("postgres")]
public sealed class PostgresArtifactStoreTests(PostgresFixture fixture) : ArtifactStoreContractTests
{
    private readonly List<NpgsqlDataSource> _dataSources = [];

    private PostgresCluster Cluster => fixture.Cluster;

    public override ValueTask InitializeAsync()
    {
        _ = Cluster; // skips (or fails on CI) when PostgreSQL is unavailable
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }

    /// <summary>A data source of the test's own, disposed with the test (for sinks and writers built by hand).</summary>
    private NpgsqlDataSource OwnedDataSource()
    {
        Assert.True(PostgresArtifactStore.TryCreateDataSource(Cluster.ConnectionString, out var dataSource, out _));
        _dataSources.Add(dataSource!);
        return dataSource!;
    }

    // Each instance gets its own data source, like a separate gateway process.
    private protected override IArtifactStore CreateStore(ArtifactTableName table, ArtifactStoreOptions options, TimeProvider time)
    {
        Assert.True(PostgresArtifactStore.TryCreateDataSource(Cluster.ConnectionString, out var dataSource, out _));
        return new PostgresArtifactStore(dataSource!, ownsDataSource: true, table, options, time, NullLogger.Instance);
    }

    private async Task<IArtifactStore> NewFaultStoreAsync(TimeSpan spillAfter)
    {
        Assert.True(ArtifactTableName.TryCreate(PipeId, "contract-key", out var table, out _));
        var options = new ArtifactStoreOptions
        {
            DataDirectory = DataDirectory,
            BatchWindow = TimeSpan.Zero,
            SpillAfter = spillAfter,
            RetryInitialDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        };
        // Real clock: backoff and probes must actually elapse while the server is down.
        var store = (PostgresArtifactStore)CreateStore(table, options, TimeProvider.System);
        await store.InitializeAsync(Ct);
        return store;
    }

    private async Task<(long Rows, long Distinct)> CountAsync(string table)
    {
        // The test's own pool may still hold connections from before a server restart; start from fresh ones.
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"SELECT count(*), count(DISTINCT id) FROM \"{table}\"", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private void RequireOwnedCluster()
    {
        if (!Cluster.IsOwned)
        {
            Assert.Skip("fault tests need the throwaway cluster, not AOTPIPE_TEST_PG");
        }
    }

    [Fact]
    public async Task DatabaseStoppedAtBarrierBetweenBatches_AckedRowsPresentExactlyOnce()
    {
        RequireOwnedCluster();
        var store = (PostgresArtifactStore)await NewFaultStoreAsync(TimeSpan.FromMilliseconds(200));
        var replayed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Writer.JournalReplayed += n => replayed.TrySetResult(n);
        // The barrier: before the sixth batch the server is stopped; nothing of that batch has been sent yet.
        store.Writer.BeforeBatchAsync = async (n, _) =>
        {
            if (n == 6)
            {
                await Cluster.StopAsync(cancellationToken: Ct);
            }
        };
        var acknowledged = new List<(string Id, ArtifactWriteResult Result)>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var row = Row(ArtifactId.NewId());
                acknowledged.Add((row.Id, await store.AppendAsync(row, Ct)));
            }

            Assert.False(Cluster.IsRunning);
            // Keep appending while the server is down: every ack must come from the fsynced journal.
            var more = Enumerable.Range(0, 40).Select(_ => Row(ArtifactId.NewId())).ToList();
            var results = await Task.WhenAll(more.Select(r => store.AppendAsync(r, Ct).AsTask()));
            acknowledged.AddRange(more.Select((r, i) => (r.Id, results[i])));

            Assert.Equal(Enumerable.Repeat(ArtifactWriteResult.Committed, 5), acknowledged.Take(5).Select(a => a.Result));
            Assert.All(acknowledged.Skip(5), a => Assert.Equal(ArtifactWriteResult.Spilled, a.Result));
            var health = store.GetHealth();
            Assert.Equal(StoreState.Degraded, health.State);
            Assert.Equal(45, health.PendingSpilledRows);
        }
        finally
        {
            if (!Cluster.IsRunning)
            {
                await Cluster.StartAsync(Ct);
            }

            // The test's own helper connections died with the server.
            NpgsqlConnection.ClearAllPools();
        }

        Assert.Equal(45, await replayed.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct));
        Assert.Equal((50L, 50L), await CountAsync(store.Table.Name));
        Assert.Equal(50, (await store.FetchAsync("tenant/alice", "chat-1", acknowledged.ConvertAll(a => a.Id), Ct)).Count);
        Assert.Equal(StoreState.Healthy, store.GetHealth().State);
        TestContext.Current.TestOutputHelper?.WriteLine($"retries={store.Counters.Retries} spilled={store.Counters.SpilledRows} replayed={store.Counters.ReplayedRows}");
    }

    [Fact]
    public async Task ServerKilledBeforeBatch_RestartedDuringBackoff_RowCommittedOnce()
    {
        RequireOwnedCluster();
        var store = (PostgresArtifactStore)await NewFaultStoreAsync(TimeSpan.FromSeconds(60));
        await store.AppendAsync(Row(ArtifactId.NewId()), Ct); // warm the pool: its connections die with the server
        Task? restart = null;
        store.Writer.BeforeBatchAsync = async (n, _) =>
        {
            if (n == 2)
            {
                await Cluster.StopAsync(immediate: true, Ct);
                restart = Task.Run(() => Cluster.StartAsync(Ct), Ct);
            }
        };
        try
        {
            var row = Row(ArtifactId.NewId());
            Assert.Equal(ArtifactWriteResult.Committed, await store.AppendAsync(row, Ct));
            Assert.True(store.Counters.Retries >= 1);
            Assert.Equal(0, store.Counters.SpilledRows);
            Assert.Equal((2L, 2L), await CountAsync(store.Table.Name));
        }
        finally
        {
            if (restart is not null)
            {
                await restart;
            }

            NpgsqlConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task CommitWhoseAcknowledgementIsLost_RetryAbsorbed_RowOnceAndCommitted()
    {
        var store = (PostgresArtifactStore)await NewFaultStoreAsync(TimeSpan.FromSeconds(60));
        var sink = new LosingAcknowledgementSink(new CopyBatchWriter(OwnedDataSource(), store.Table, PostgresColumnTypes.Default));
        var options = new ArtifactStoreOptions { DataDirectory = Path.Combine(DataDirectory, "w2"), BatchWindow = TimeSpan.Zero, RetryInitialDelay = TimeSpan.FromMilliseconds(1) };
        await using var writer = new ArtifactBatchWriter(sink, store.Table, options, TimeProvider.System, NullLogger.Instance, new PersistenceCounters());
        await writer.StartAsync();
        var rows = Enumerable.Range(0, 20).Select(_ => Row(ArtifactId.NewId())).ToList();
        var results = await Task.WhenAll(rows.Select(r => writer.AppendAsync(r, Ct).AsTask()));
        Assert.All(results, r => Assert.Equal(ArtifactWriteResult.Committed, r));
        Assert.True(sink.Lost);
        Assert.Equal((20L, 20L), await CountAsync(store.Table.Name));
    }

    [Fact]
    public async Task CopySink_NewRows_CommittedByTheDirectCopy_VisibleToOtherSessions()
    {
        var store = await NewStoreAsync();
        await using var sink = new CopyBatchWriter(OwnedDataSource(), store.Table, PostgresColumnTypes.Default);
        var rows = Enumerable.Range(0, 50).Select(_ => Row(ArtifactId.NewId())).ToList();
        var conflicts = new HashSet<string>();

        await sink.WriteBatchAsync(rows, conflicts, Ct);

        // Seen from another session as soon as the call returns: the COPY was committed, not left in an open transaction.
        Assert.Equal((50L, 50L), await CountAsync(store.Table.Name));
        Assert.Empty(conflicts);
        Assert.Equal(0, sink.StagedBatches);
    }

    [Fact]
    public async Task CopySink_BatchMeetsExistingIds_StagedPath_DuplicatesAbsorbed_ConflictReported_RestCommitted()
    {
        var store = await NewStoreAsync();
        await using var sink = new CopyBatchWriter(OwnedDataSource(), store.Table, PostgresColumnTypes.Default);
        var first = Enumerable.Range(0, 3).Select(_ => Row(ArtifactId.NewId())).ToList();
        await sink.WriteBatchAsync(first, new HashSet<string>(), Ct);
        var fresh = Row(ArtifactId.NewId());
        var retried = new List<ArtifactRecord> { first[0], first[1] with { Payload = "{\"other\":true}" }, fresh };
        var conflicts = new HashSet<string>();

        await sink.WriteBatchAsync(retried, conflicts, Ct);

        Assert.Equal(1, sink.StagedBatches);
        Assert.Equal([first[1].Id], conflicts);
        Assert.Equal((4L, 4L), await CountAsync(store.Table.Name));
        Assert.Equal(first[1].Payload, (await store.FetchAsync("tenant/alice", "chat-1", [first[1].Id], Ct)).Single().Payload);
        Assert.Single(await store.FetchAsync("tenant/alice", "chat-1", [fresh.Id], Ct));

        // The session after the fallback is healthy: the next clean batch goes straight in again.
        await sink.WriteBatchAsync([Row(ArtifactId.NewId())], conflicts, Ct);
        Assert.Equal(1, sink.StagedBatches);
        Assert.Equal((5L, 5L), await CountAsync(store.Table.Name));
    }

    [Fact]
    public async Task CopySink_DuplicateIdWithinOneBatch_StagedPath_OneRowCommitted()
    {
        var store = await NewStoreAsync();
        await using var sink = new CopyBatchWriter(OwnedDataSource(), store.Table, PostgresColumnTypes.Default);
        var row = Row(ArtifactId.NewId());
        var conflicts = new HashSet<string>();

        await sink.WriteBatchAsync([row, row, Row(ArtifactId.NewId())], conflicts, Ct);

        Assert.Equal(1, sink.StagedBatches);
        Assert.Empty(conflicts);
        Assert.Equal((2L, 2L), await CountAsync(store.Table.Name));
    }

    [Theory]
    [InlineData("json", "timestamp without time zone")]
    [InlineData("jsonb", "timestamp with time zone")]
    public async Task LegacyTableOfOriginal_ScopeColumnAdded_LegacyRowsByChat_NewRowsWritable(string payloadType, string createdType)
    {
        Assert.True(ArtifactTableName.TryCreate(PipeId, "contract-key", out var table, out _));
        await ExecuteAsync($"CREATE TABLE \"{table.Name}\" (id varchar(20) PRIMARY KEY, chat_id varchar(64) NOT NULL, message_id varchar(64) NOT NULL, model_id varchar(128), item_type varchar(64) NOT NULL, payload {payloadType} NOT NULL, is_encrypted boolean NOT NULL DEFAULT false, created_at {createdType} NOT NULL DEFAULT now()); "
            + $"CREATE INDEX ix_{table.Name}_chat_id ON \"{table.Name}\" (chat_id); "
            + $"INSERT INTO \"{table.Name}\" (id, chat_id, message_id, model_id, item_type, payload, is_encrypted) VALUES ('01LEGACY000000000000', 'old-chat', 'm', 'x', 'reasoning', '{{\"ciphertext\": \"gAAAA\", \"enc_v\": 1}}', true)");

        var store = await NewStoreAsync();
        var legacy = Assert.Single(await store.FetchAsync("tenant/alice", "old-chat", ["01LEGACY000000000000"], Ct));
        Assert.Null(legacy.Scope);
        Assert.Contains("gAAAA", legacy.Payload, StringComparison.Ordinal);
        Assert.Empty(await store.FetchAsync("tenant/alice", "other-chat", ["01LEGACY000000000000"], Ct));

        var row = Row(ArtifactId.NewId());
        Assert.Equal(ArtifactWriteResult.Committed, await store.AppendAsync(row, Ct));
        var back = Assert.Single(await store.FetchAsync("tenant/alice", "chat-1", [row.Id], Ct));
        Assert.Equal(row.CreatedAt, back.CreatedAt);
        Assert.Equal(ArtifactWriteResult.Committed, await store.AppendAsync(row, Ct));

        // The original's own chat_id index is reused; only the missing created_at index is added under our naming rule.
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = '{table.Name}'", connection);
        var indexes = (string)(await command.ExecuteScalarAsync(Ct))!;
        Assert.Contains(table.IndexName("created"), indexes, StringComparison.Ordinal);
        Assert.DoesNotContain(table.IndexName("chat"), indexes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewTable_HasDesignedColumnsAndIndexNames()
    {
        var store = await NewStoreAsync();
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = '{store.Table.Name}'", connection);
        var indexes = (string)(await command.ExecuteScalarAsync(Ct))!;
        Assert.Equal($"{store.Table.Name}_pkey,{store.Table.IndexName("chat")},{store.Table.IndexName("created")}", indexes);
        Assert.StartsWith("response_items_t_", store.Table.Name, StringComparison.Ordinal);
    }

    private sealed class LosingAcknowledgementSink(IArtifactBatchSink inner) : IArtifactBatchSink
    {
        public bool Lost { get; private set; }

        public string Name => inner.Name;

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public async Task WriteBatchAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
        {
            await inner.WriteBatchAsync(rows, conflicts, cancellationToken);
            if (!Lost)
            {
                // The commit happened; the client never hears it. The retry must find identical rows, not conflicts.
                Lost = true;
                throw new NpgsqlException("connection reset after commit");
            }
        }

        public bool IsRowFailure(Exception exception) => inner.IsRowFailure(exception);

        public void ResetConnections() => inner.ResetConnections();

        public string Describe(Exception exception) => inner.Describe(exception);
    }
}
