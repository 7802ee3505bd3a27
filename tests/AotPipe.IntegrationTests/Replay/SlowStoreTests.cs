using System.Diagnostics;
using AotPipe.IntegrationTests.ChatCompletions;
using AotPipe.Persistence;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AotPipe.IntegrationTests.Replay;

/// <summary>DESIGN.md section 5: with inline socket scheduling nothing on the request path may block, so a slow store
/// read for one request must not delay another stream.</summary>
[Collection(TimingCollection.Name)]
public sealed class SlowStoreTests
{
    [Fact]
    public async Task SlowStoreRead_DoesNotDelayAnotherStream()
    {
        var store = new SlowStore(TimeSpan.FromSeconds(3));
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock), s => s.AddSingleton<IArtifactStore>(store));
        using var client = gateway.CreateClient();
        using var slowRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"mock/stream-text-basic","stream":true,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"ok\n\n[0123456789ABCDEFGHJK]: #"},{"role":"user","content":"more"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        slowRequest.Headers.Add("X-OpenWebUI-Chat-Id", "chat-slow");

        var slow = client.SendAsync(slowRequest).ContinueWith(t => t.Result.Content.ReadAsStringAsync()).Unwrap();
        await store.FetchStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var watch = Stopwatch.StartNew();
        var fast = await (await client.PostAsync("/v1/chat/completions", ChatCompletionsTests.ChatBody("mock/stream-text-basic"))).Content.ReadAsStringAsync();
        var fastTook = watch.Elapsed;

        Assert.EndsWith("data: [DONE]\n\n", fast);
        Assert.False(slow.IsCompleted, "the slow request should still be waiting on its store read");
        Assert.True(fastTook < TimeSpan.FromSeconds(2), $"the other stream took {fastTook.TotalMilliseconds:F0} ms");
        Assert.EndsWith("data: [DONE]\n\n", await slow);
    }

    private sealed class SlowStore(TimeSpan delay) : IArtifactStore
    {
        public TaskCompletionSource FetchStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "slow";

        public ArtifactTableName Table { get; } = ArtifactTableName.TryCreate("slow", null, out var name, out _) ? name : throw new InvalidOperationException();

        public PersistenceCounters Counters { get; } = new();

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask<ArtifactWriteResult> AppendAsync(ArtifactRecord record, CancellationToken cancellationToken) => ValueTask.FromResult(ArtifactWriteResult.Committed);

        public Task<IReadOnlyList<ArtifactRecord>> ScanAsync(string? afterId, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ArtifactRecord>>([]);

        public async Task<IReadOnlyList<ArtifactRecord>> FetchAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
        {
            FetchStarted.TrySetResult();
            await Task.Delay(delay, cancellationToken);
            return [];
        }

        public Task DeleteAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) => Task.FromResult(0);

        public StoreHealth GetHealth() => new("slow", StoreState.Healthy, 0, 0, 0, null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
