using System.Collections.Concurrent;
using System.Net;
using AotPipe.Persistence;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AotPipe.IntegrationTests.Replay;

/// <summary>The embedded store initialises alongside Kestrel's start, not before it (perf-reports/footprint.md), yet a
/// chat that arrives during that first attempt still persists and /readyz still tells the truth.</summary>
public sealed class EmbeddedStoreStartupTests
{
    [Fact]
    public async Task GatewayListensBeforeTheStoreIsReady_AndAnEarlyChatWaitsAndPersists()
    {
        // With the initialisation gated shut, the gateway must still come up and serve.
        var store = new GatedStore();
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await StartGatedAsync(mock, store);
        using var client = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        var ready = client.GetAsync("/readyz");
        var chat = ArtifactReplayTests.ChatAsync(gateway, "alice", "chat-early", "[{\"role\":\"user\",\"content\":\"hi\"}]");
        Assert.False(store.Gate.Task.IsCompleted);
        store.Gate.SetResult();

        var content = Chat.ChatCompletionsTests_Helpers.Content(await chat.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("]: #", content);
        Assert.Single(store.Appended);
        Assert.Equal(HttpStatusCode.OK, (await ready.WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);
    }

    [Fact]
    public async Task AStuckFirstAttempt_HoldsRequestsOnlyForTheBoundedWait()
    {
        var store = new GatedStore();
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await StartGatedAsync(mock, store);
        using var client = gateway.CreateClient();

        // The gate never opens: /readyz tells the truth after the wait, and a chat streams without markers.
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var ready = await client.GetAsync("/readyz");
        var waited = started.Elapsed;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"initializing\"", await ready.Content.ReadAsStringAsync());
        Assert.InRange(waited, AotPipe.Hosting.ArtifactStoreLifetime.FirstAttemptWait - TimeSpan.FromMilliseconds(50), AotPipe.Hosting.ArtifactStoreLifetime.FirstAttemptWait + TimeSpan.FromSeconds(10));

        var content = Chat.ChatCompletionsTests_Helpers.Content(await ArtifactReplayTests.ChatAsync(gateway, "alice", "chat-stuck", "[{\"role\":\"user\",\"content\":\"hi\"}]")
            .WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("]: #", content);
        Assert.Empty(store.Appended);
    }

    /// <summary>Starts the gateway on <paramref name="store"/> and waits until its first initialisation attempt began.</summary>
    private static async Task<GatewayHost> StartGatedAsync(MockOpenRouter mock, GatedStore store)
    {
        var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock), s => s.AddSingleton<IArtifactStore>(store))
            .WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            await store.InitializeStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    private sealed class GatedStore : IArtifactStore
    {
        public TaskCompletionSource InitializeStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<ArtifactRecord> Appended { get; } = new();

        public string Name => "gated";

        public ArtifactTableName Table { get; } = ArtifactTableName.TryCreate("gated", null, out var name, out _) ? name : throw new InvalidOperationException();

        public PersistenceCounters Counters { get; } = new();

        public async Task InitializeAsync(CancellationToken cancellationToken)
        {
            InitializeStarted.TrySetResult();
            await Gate.Task.WaitAsync(cancellationToken);
        }

        public ValueTask<ArtifactWriteResult> AppendAsync(ArtifactRecord record, CancellationToken cancellationToken)
        {
            Appended.Enqueue(record);
            return ValueTask.FromResult(ArtifactWriteResult.Committed);
        }

        public Task<IReadOnlyList<ArtifactRecord>> ScanAsync(string? afterId, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ArtifactRecord>>([]);

        public Task<IReadOnlyList<ArtifactRecord>> FetchAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ArtifactRecord>>([]);

        public Task DeleteAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) => Task.FromResult(0);

        public StoreHealth GetHealth() => new("gated", StoreState.Healthy, 0, 0, 0, null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
