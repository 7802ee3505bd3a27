using System.Text;
using System.Text.Json.Nodes;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Redis;

/// <summary>The Redis read cache inside the native AOT binary (<c>AOTPIPE_BINARY</c>): client, source-generated JSON
/// and metrics work without reflection.</summary>
[Collection(TimingCollection.Name)]
public sealed class RedisNativeBinaryTests
{
    [Fact]
    public async Task NativeBinary_ReplayServedFromRedis()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        await using var redis = await RedisServer.StartAsync();
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await NativeGateway.StartAsync(
            new Dictionary<string, string>
            {
                ["OPENROUTER_API_BASE_URL"] = mock.BaseUrl,
                ["OPENROUTER_API_KEY"] = "sk-or-v1-native-test",
                ["ARTIFACT_ENCRYPTION_KEY"] = "artifact-key-for-tests-0123456789abcdef",
                ["REDIS_URL"] = redis.Url,
            },
            readyPath: "/readyz");
        var client = gateway.Client;

        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = Chat.ChatCompletionsTests_Helpers.Content(await ChatAsync(client, chat, "[{\"role\":\"user\",\"content\":\"hi\"}]"));
        Assert.Contains("]: #", first);
        var sse = await ChatAsync(client, chat, "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":" + JsonValue.Create(first)!.ToJsonString() + "},{\"role\":\"user\",\"content\":\"and then?\"}]");

        Assert.EndsWith("data: [DONE]\n\n", sse);
        var input = JsonNode.Parse(mock.RequestsTo("/responses")[^1].Body)!["input"]!.AsArray();
        Assert.Contains(input, n => n!["type"]?.GetValue<string>() == "reasoning");
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Matches(@"aotpipe_artifact_cache_hits_total [1-9]", metrics);
        Assert.Contains("aotpipe_artifact_cache_errors_total 0", metrics);
    }

    private static async Task<string> ChatAsync(HttpClient client, string chat, string messagesJson)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"mock/stream-reasoning-summary","stream":true,"reasoning_effort":"medium","messages":{{messagesJson}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-OpenWebUI-User-Id", "alice");
        request.Headers.Add("X-OpenWebUI-Message-Id", "msg-" + Guid.NewGuid().ToString("N")[..8]);
        request.Headers.Add("X-OpenWebUI-Chat-Id", chat);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}
