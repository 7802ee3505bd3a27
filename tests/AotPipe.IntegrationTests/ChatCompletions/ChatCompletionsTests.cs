using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using AotPipe.Tests.Streaming;
using Xunit;

namespace AotPipe.IntegrationTests.ChatCompletions;

public sealed class ChatCompletionsTests : IAsyncLifetime
{
    private MockOpenRouter _mock = null!;
    private GatewayHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenRouter.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(_mock));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mock.DisposeAsync();
    }

    internal static StringContent ChatBody(string model, bool stream = true, bool includeUsage = true) => new(
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"stream_options":{"include_usage":{{(includeUsage ? "true" : "false")}}},"messages":[{"role":"user","content":"hi"}]}""",
        Encoding.UTF8,
        "application/json");

    /// <summary>Drops SSE comment frames (forwarded keep-alives), then parses the chunk stream with every structural check.</summary>
    internal static ParsedChunkStream ParseChunks(string sse)
    {
        var frames = sse.Split("\n\n").Where(f => !f.StartsWith(':'));
        return ParsedChunkStream.Parse(Encoding.UTF8.GetBytes(string.Join("\n\n", frames)));
    }

    private static JsonObject Expected(string fixture) =>
        JsonNode.Parse(Fixtures.Bytes("responses/expected.json"))!["fixtures"]![fixture]!["client"]!.AsObject();

    [Theory]
    [InlineData("stream-text-basic")]
    [InlineData("stream-reasoning-summary")]
    [InlineData("stream-reasoning-text-anthropic")]
    [InlineData("stream-function-call")]
    [InlineData("stream-crlf-processing-comments")]
    [InlineData("stream-failed-midstream")]
    public async Task Stream_MatchesExpectedClientView(string fixture)
    {
        _mock.Behavior.ChunkSeed = fixture.Length;
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/chat/completions", ChatBody("mock/" + fixture));
        var sse = await response.Content.ReadAsStringAsync();
        var parsed = ParseChunks(sse);
        var expected = Expected(fixture + ".sse");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(parsed.Ids);
        Assert.StartsWith("chatcmpl-gen-", parsed.Ids.Single());
        Assert.Single(parsed.Created);
        Assert.Equal(expected["content"]?.GetValue<string>(), parsed.Content);
        Assert.Equal(
            ParsedChunkStream.CollapseWhitespace(expected["reasoning"]?.GetValue<string>()),
            ParsedChunkStream.CollapseWhitespace(parsed.Reasoning));
        Assert.Equal(expected["finish_reason"]?.GetValue<string>(), parsed.FinishReasons.LastOrDefault());
        if (expected["tool_calls"] is JsonArray calls)
        {
            Assert.Equal(calls.Count, parsed.ToolCalls.Count);
            foreach (var call in calls)
            {
                var actual = parsed.ToolCalls[call!["index"]!.GetValue<int>()];
                Assert.Equal(call["id"]!.GetValue<string>(), actual.Id);
                Assert.Equal(call["function"]!["name"]!.GetValue<string>(), actual.Name);
                Assert.Equal(1, actual.NameCount);
                Assert.Equal(call["function"]!["arguments"]!.GetValue<string>(), actual.Arguments.ToString());
            }
        }

        if (expected["usage"] is JsonObject usage)
        {
            var usageChunk = Assert.Single(parsed.UsageChunks);
            foreach (var key in new[] { "prompt_tokens", "completion_tokens", "total_tokens" })
            {
                Assert.Equal(usage[key]!.GetValue<long>(), usageChunk["usage"]![key]!.GetValue<long>());
            }
        }

        if (expected["error"] is JsonObject)
        {
            var errorChunk = Assert.Single(parsed.ErrorChunks);
            Assert.Empty(errorChunk["choices"]!.AsArray());
            Assert.Equal("error", parsed.FinishReasons.Last());
        }
    }

    [Fact]
    public async Task SequentialStreams_ReuseOneUpstreamConnection()
    {
        // The chat relay stops reading at the terminal event. OpenRouter then sends [DONE] and ends the body; here that
        // comes 30 ms later, as the generated stream paces every event. The end of the body is read after the response,
        // so the connection goes back to the pool (over HTTPS: no new TLS handshake per chat request).
        using var client = _gateway.CreateClient();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", ChatBody("mock/gen-3-30"));
            Assert.EndsWith("data: [DONE]\n\n", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

            // The end of the body is read in the background once the response is over.
            await Task.Delay(150, TestContext.Current.CancellationToken);
        }

        var upstream = _mock.RequestsTo("/responses");
        Assert.Equal(6, upstream.Count);
        Assert.Single(upstream.Select(r => r.ConnectionId).Distinct());
    }

    [Fact]
    public async Task ClientDisconnectsMidStream_UpstreamCancelledWithinOneSecond()
    {
        _mock.Behavior.StallAfterEvents = 5;
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _mock.ClientAborted += () => aborted.TrySetResult();

        // No response draining on this side: disposing the response closes the connection at once, as a leaving client does.
        using var client = new HttpClient(new SocketsHttpHandler { ResponseDrainTimeout = TimeSpan.Zero, MaxResponseDrainSize = 0 }) { BaseAddress = _gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = ChatBody("mock/stream-text-basic") };
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        Assert.True(await stream.ReadAsync(new byte[256], TestContext.Current.CancellationToken) > 0);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        response.Dispose();

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"upstream cancelled after {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Stream_UpstreamKeepAlives_ForwardedAsComments()
    {
        using var client = _gateway.CreateClient();

        var sse = await (await client.PostAsync("/v1/chat/completions", ChatBody("mock/stream-crlf-processing-comments"))).Content.ReadAsStringAsync();

        Assert.Contains(": keep-alive\n\n", sse);
        Assert.DoesNotContain("\r", sse);
    }

    [Fact]
    public async Task Stream_UpstreamResetMidStream_ErrorChunkWithoutChoicesThenDone()
    {
        _mock.Behavior.ResetAfterEvents = 12;
        using var client = _gateway.CreateClient();

        var sse = await (await client.PostAsync("/v1/chat/completions", ChatBody("mock/stream-text-basic"))).Content.ReadAsStringAsync();
        var parsed = ParseChunks(sse);

        var error = Assert.Single(parsed.ErrorChunks);
        Assert.Equal("upstream_reset", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal("error", parsed.FinishReasons.Last());
    }

    [Fact]
    public async Task Stream_Truncated_NeverLooksComplete()
    {
        _mock.Behavior.TruncateAfterEvents = 15;
        using var client = _gateway.CreateClient();

        var sse = await (await client.PostAsync("/v1/chat/completions", ChatBody("mock/stream-text-basic"))).Content.ReadAsStringAsync();
        var parsed = ParseChunks(sse);

        Assert.Single(parsed.ErrorChunks);
        Assert.DoesNotContain("stop", parsed.FinishReasons);
    }

    [Fact]
    public async Task NonStream_OneChatCompletionWithUsage()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/chat/completions", ChatBody("openai/gpt-5.2", stream: false));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var expected = Expected("response-nonstream.json");
        var root = json.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        var message = root.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal(expected["content"]!.GetValue<string>(), message.GetProperty("content").GetString());
        Assert.True(root.TryGetProperty("usage", out var usage));
        Assert.Equal(expected["usage"]!["total_tokens"]!.GetValue<long>(), usage.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task UpstreamRequest_IsTranslatedResponsesRequest()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"mock/stream-text-basic","stream":true,"user":"client-user","metadata":{"x":"y"},"max_tokens":77,"reasoning_effort":"low","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}""",
            Encoding.UTF8,
            "application/json"));
        await response.Content.ReadAsStringAsync();

        var sent = JsonNode.Parse(Assert.Single(_mock.RequestsTo("/responses")).Body)!.AsObject();
        Assert.Equal(77, sent["max_output_tokens"]!.GetValue<int>());
        Assert.False(sent["store"]!.GetValue<bool>());
        Assert.Equal("auto", sent["reasoning"]!["summary"]!.GetValue<string>());
        Assert.Contains("reasoning.encrypted_content", sent["include"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Null(sent["user"]);
        Assert.Null(sent["metadata"]);
        Assert.Null(sent["messages"]);
        Assert.True(sent["stream"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[]}""", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"wizard","content":"x"}]}""", "messages[0].role")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "model")]
    public async Task InvalidRequest_400NamesField(string body, string param)
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, json.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Empty(_mock.RequestsTo("/responses"));
    }
}
