using System.Text.Json.Nodes;
using AotPipe.Configuration;
using AotPipe.IntegrationTests.Replay;
using AotPipe.Persistence;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace AotPipe.IntegrationTests.Redis;

/// <summary>The optional Redis read cache: replay served from Redis, tenant-namespaced encrypted entries, and
/// degradation to the database when Redis goes away mid-test.</summary>
public sealed class RedisArtifactCacheTests : IAsyncLifetime
{
    private const string ArtifactKey = "artifact-key-for-tests-0123456789abcdef";

    private MockOpenRouter _mock = null!;
    private RedisServer _redis = null!;
    private string _dataDir = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _mock = await MockOpenRouter.StartAsync();
        _dataDir = Directory.CreateTempSubdirectory("aotpipe-redis-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await _mock.DisposeAsync();
        await _redis.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task EncryptedTurn_ReplayServedFromRedisEvenWithoutTheDatabaseRow()
    {
        await using var gateway = await StartGatewayAsync(("ARTIFACT_ENCRYPTION_KEY", ArtifactKey));
        var cache = CacheOf(gateway);
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = await FirstTurnAsync(gateway, chat);

        // The database loses the rows; only the cache still has them.
        await DeleteAllRowsAsync(cache.Table.Name);
        await ArtifactReplayTests.ChatAsync(gateway, "alice", chat, History(first));

        Assert.Contains(LastUpstreamInput(), n => n!["type"]?.GetValue<string>() == "reasoning");
        Assert.True(cache.Cache.Hits >= 1);
        Assert.Equal(0, cache.Cache.Errors);
        using var client = gateway.CreateClient();
        Assert.Matches(@"aotpipe_artifact_cache_hits_total [1-9]", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task CachedEntries_KeyedByPipeHashAndScope_ValuesHoldNoPlaintext()
    {
        await using var gateway = await StartGatewayAsync(("ARTIFACT_ENCRYPTION_KEY", ArtifactKey));
        var cache = CacheOf(gateway);
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        await FirstTurnAsync(gateway, chat);

        await using var redis = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:" + _redis.Port);
        var keys = redis.GetServer("127.0.0.1", _redis.Port).Keys(pattern: "*").Select(k => k.ToString()).ToList();
        Assert.NotEmpty(keys);
        var prefix = "aotpipe:" + gateway.Settings.PipeId + ":" + cache.Table.Hash8 + ":";
        var summary = JsonNode.Parse(Fixtures.Bytes("responses/expected.json"))!["fixtures"]!["stream-reasoning-summary.sse"]!["client"]!["reasoning"]!.GetValue<string>();
        var phrase = summary.Split(' ').Skip(2).Take(4).Aggregate((a, b) => a + " " + b);
        foreach (var key in keys)
        {
            Assert.StartsWith(prefix, key);
            Assert.Contains("/alice:" + chat + ":", key);
            var value = (string)(await redis.GetDatabase().StringGetAsync(key))!;
            Assert.Contains("\"IsEncrypted\":true", value);
            Assert.DoesNotContain(phrase, value);
            Assert.True(await redis.GetDatabase().KeyTimeToLiveAsync(key) is { } ttl && ttl > TimeSpan.Zero && ttl <= TimeSpan.FromSeconds(600));
        }
    }

    [Fact]
    public async Task AnotherUsersCopiedMarker_NotServedFromTheCache()
    {
        await using var gateway = await StartGatewayAsync(("ARTIFACT_ENCRYPTION_KEY", ArtifactKey));
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = await FirstTurnAsync(gateway, chat);

        await ArtifactReplayTests.ChatAsync(gateway, "mallory", chat, History(first));

        Assert.DoesNotContain(LastUpstreamInput(), n => n!["type"]?.GetValue<string>() == "reasoning");
        Assert.Equal(0, CacheOf(gateway).Cache.Hits);
    }

    [Fact]
    public async Task RedisStoppedMidTest_ReplayFromTheDatabaseAndTheRequestSucceeds()
    {
        await using var gateway = await StartGatewayAsync(("ARTIFACT_ENCRYPTION_KEY", ArtifactKey));
        var cache = CacheOf(gateway);
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = await FirstTurnAsync(gateway, chat);

        await _redis.StopAsync();
        var sse = await ArtifactReplayTests.ChatAsync(gateway, "alice", chat, History(first));

        Assert.EndsWith("data: [DONE]\n\n", sse);
        Assert.Contains(LastUpstreamInput(), n => n!["type"]?.GetValue<string>() == "reasoning");
        Assert.Equal(0, cache.Cache.Hits);
        Assert.True(cache.Cache.Errors >= 1);
    }

    [Fact]
    public async Task RedisHangsMidTest_CallsTimeOutAndTheReplayComesFromTheDatabase()
    {
        await using var gateway = await StartGatewayAsync(("ARTIFACT_ENCRYPTION_KEY", ArtifactKey));
        var cache = CacheOf(gateway);
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = await FirstTurnAsync(gateway, chat);

        // The server stays connected but answers nothing: every cache call has to give up on its own timeout.
        await _redis.PauseAsync(TimeSpan.FromSeconds(3));
        var sse = await ArtifactReplayTests.ChatAsync(gateway, "alice", chat, History(first));

        Assert.EndsWith("data: [DONE]\n\n", sse);
        Assert.Contains(LastUpstreamInput(), n => n!["type"]?.GetValue<string>() == "reasoning");
        Assert.Equal(0, cache.Cache.Hits);
        Assert.True(cache.Cache.Errors >= 1);
    }

    [Fact]
    public async Task RedisUnreachableFromTheStart_GatewayStartsAndReplays()
    {
        var closedPort = _redis.Port;
        await _redis.StopAsync();
        await using var gateway = await StartGatewayAsync(("ARTIFACT_ENCRYPTION_KEY", ArtifactKey), ("REDIS_URL", "redis://:secret-pw@127.0.0.1:" + closedPort + "/0"));
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = await FirstTurnAsync(gateway, chat);

        var sse = await ArtifactReplayTests.ChatAsync(gateway, "alice", chat, History(first));

        Assert.EndsWith("data: [DONE]\n\n", sse);
        Assert.Contains(LastUpstreamInput(), n => n!["type"]?.GetValue<string>() == "reasoning");
        Assert.True(CacheOf(gateway).Cache.Errors >= 1);
    }

    [Fact]
    public async Task InvalidRedisUrl_StartupRefused_NamingTheSettingNotThePassword()
    {
        var error = await Assert.ThrowsAsync<SettingsException>(() => StartGatewayAsync(("REDIS_URL", "redis://:hunter2@127.0.0.1:99999")));

        Assert.Equal("REDIS_URL", error.SettingName);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnencryptedRows_NotCached()
    {
        await using var gateway = await StartGatewayAsync();
        var cache = CacheOf(gateway);
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = await FirstTurnAsync(gateway, chat);

        await ArtifactReplayTests.ChatAsync(gateway, "alice", chat, History(first));

        Assert.Contains(LastUpstreamInput(), n => n!["type"]?.GetValue<string>() == "reasoning");
        await using var redis = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:" + _redis.Port);
        Assert.Empty(redis.GetServer("127.0.0.1", _redis.Port).Keys(pattern: "*"));
        Assert.Equal(0, cache.Cache.Hits);
    }

    private static RedisCachedArtifactStore CacheOf(GatewayHost gateway)
        => Assert.IsType<RedisCachedArtifactStore>(gateway.Services.GetRequiredService<IArtifactStore>());

    private static string History(string first) =>
        "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":" + JsonValue.Create(first)!.ToJsonString() + "},{\"role\":\"user\",\"content\":\"and then?\"}]";

    private static async Task<string> FirstTurnAsync(GatewayHost gateway, string chat)
    {
        var first = Chat.ChatCompletionsTests_Helpers.Content(await ArtifactReplayTests.ChatAsync(gateway, "alice", chat, "[{\"role\":\"user\",\"content\":\"hi\"}]"));
        Assert.Contains("]: #", first);
        return first;
    }

    private async Task<GatewayHost> StartGatewayAsync(params (string Name, string? Value)[] extra)
    {
        var env = GatewayHost.EnvironmentFor(_mock, [("AOTPIPE_DATA_DIR", _dataDir), ("REDIS_URL", _redis.Url), .. extra]);
        return await GatewayHost.StartAsync(env);
    }

    private async Task DeleteAllRowsAsync(string table)
    {
        await using var connection = new SqliteConnection("Data Source=" + Path.Combine(_dataDir, SqliteArtifactStore.FileName));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM \"" + table + "\"";
        Assert.True(await command.ExecuteNonQueryAsync() >= 1);
    }

    private JsonArray LastUpstreamInput() => JsonNode.Parse(_mock.RequestsTo("/responses")[^1].Body)!["input"]!.AsArray();
}
