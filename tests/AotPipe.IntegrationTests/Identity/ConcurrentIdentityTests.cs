using System.Text;
using System.Text.Json.Nodes;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Identity;

/// <summary>Caller identity is request-scoped: many interleaved users never see each other's identifiers.</summary>
public sealed class ConcurrentIdentityTests
{
    [Fact]
    public async Task InterleavedUsers_EachUpstreamRequestCarriesItsOwnIdentity()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        mock.Behavior.ChunkSeed = 5;
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock,
            ("SEND_END_USER_ID", "true"), ("SEND_CHAT_ID", "true"), ("SEND_MESSAGE_ID", "true"), ("MAX_CONCURRENT_REQUESTS", "500")));
        using var client = gateway.CreateClient();
        const int Users = 120;

        var requests = Enumerable.Range(0, Users).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                // The prompt names the user too, so each upstream request can be matched to its sender.
                Content = new StringContent($$"""{"model":"mock/stream-text-basic","stream":true,"messages":[{"role":"user","content":"from user-{{i}}"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-OpenWebUI-User-Id", $"user-{i}");
            request.Headers.Add("X-OpenWebUI-Chat-Id", $"chat-{i}");
            request.Headers.Add("X-OpenWebUI-Message-Id", $"message-{i}");
            using var response = await client.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        });
        var bodies = await Task.WhenAll(requests);

        Assert.All(bodies, b => Assert.EndsWith("data: [DONE]\n\n", b));
        var sent = mock.RequestsTo("/responses");
        Assert.Equal(Users, sent.Count);
        foreach (var recorded in sent)
        {
            var body = JsonNode.Parse(recorded.Body)!;
            var text = body["input"]!.ToJsonString();
            var index = text[(text.IndexOf("from user-", StringComparison.Ordinal) + "from user-".Length)..].TakeWhile(char.IsDigit).Aggregate(string.Empty, (a, c) => a + c);
            Assert.Equal($"user-{index}", body["user"]!.GetValue<string>());
            Assert.Equal($"user-{index}", body["metadata"]!["user_id"]!.GetValue<string>());
            Assert.Equal($"chat-{index}", body["metadata"]!["chat_id"]!.GetValue<string>());
            Assert.Equal($"message-{index}", body["metadata"]!["message_id"]!.GetValue<string>());
        }
    }
}
