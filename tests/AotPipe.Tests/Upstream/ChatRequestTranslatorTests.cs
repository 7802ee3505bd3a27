using System.Text;
using System.Text.Json.Nodes;
using AotPipe.Tests.Streaming;
using AotPipe.Upstream;
using Xunit;

namespace AotPipe.Tests.Upstream;

public sealed class ChatRequestTranslatorTests
{
    private const string MarkerA = "01ARZ3NDEKTSV4RRFFQ6";
    private const string MarkerB = "01BX5ZZKBKACTAV9WEVG";

    private static readonly IdentifierOptions s_fixtureOptions = new(
        SendEndUserId: true, SendChatId: true, SendMessageId: true, SendCacheSessionId: false);

    [Fact]
    public void OpenWebUiFixture_TranslatesToExpectedResponsesRequest()
    {
        var body = LoadRequest("chat-completions.openwebui.request.json").AsObject();
        var expected = LoadRequest("responses.expected.request.json");

        var result = ChatRequestTranslator.Translate(body, FixtureIdentity(), s_fixtureOptions, replay: null);

        Assert.True(result.IsValid, result.Error?.Param);
        Assert.True(JsonNode.DeepEquals(expected, result.Request), result.Request.ToJsonString());
        Assert.True(result.Stream);
        Assert.True(result.IncludeUsage);
        Assert.True(result.ReasoningRequested);
        Assert.Equal("openai/gpt-5.2", result.Model);
        Assert.Empty(result.MarkerIds);
    }

    [Fact]
    public void OpenWebUiFixture_FromBytes_MatchesNodeTranslation()
    {
        var bytes = File.ReadAllBytes(Path.Combine(SseFixture.Root, "requests", "chat-completions.openwebui.request.json"));
        var result = ChatRequestTranslator.Translate(bytes, FixtureIdentity(), s_fixtureOptions, replay: null);
        Assert.True(JsonNode.DeepEquals(LoadRequest("responses.expected.request.json"), result.Request));
    }

    [Fact]
    public void Defaults_WithSecret_SendOnlyHmacSessionId()
    {
        var body = LoadRequest("chat-completions.openwebui.request.json").AsObject();
        body["user"] = "client-user";
        body["session_id"] = "client-session";
        body["metadata"] = new JsonObject { ["chat_id"] = "x" };

        var result = ChatRequestTranslator.Translate(body, FixtureIdentity(), IdentifierOptions.Default with { WebUiSecretKey = "k" }, null);

        Assert.False(result.Request!.ContainsKey("user"));
        Assert.False(result.Request.ContainsKey("metadata"));
        Assert.Equal(UpstreamIdentifiers.ComputeCacheSessionId(FixtureIdentity().ChatId, "k"), (string?)result.Request["session_id"]);
        Assert.False(result.Request.ContainsKey("stream_options"));
    }

    [Fact]
    public void Translate_DoesNotModifyTheClientBody()
    {
        var body = LoadRequest("chat-completions.openwebui.request.json").AsObject();
        var before = body.ToJsonString();
        ChatRequestTranslator.Translate(body, FixtureIdentity(), s_fixtureOptions, null);
        Assert.Equal(before, body.ToJsonString());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "[]", "body" },
        { "{not json", "body" },
        { """{"messages":[{"role":"user","content":"hi"}]}""", "model" },
        { """{"model":5,"messages":[{"role":"user","content":"hi"}]}""", "model" },
        { """{"model":"m"}""", "messages" },
        { """{"model":"m","messages":[]}""", "messages" },
        { """{"model":"m","messages":{"role":"user"}}""", "messages" },
        { """{"model":"m","messages":["hi"]}""", "messages[0]" },
        { """{"model":"m","messages":[{"content":"hi"}]}""", "messages[0].role" },
        { """{"model":"m","messages":[{"role":"robot","content":"hi"}]}""", "messages[0].role" },
        { """{"model":"m","messages":[{"role":"user","content":5}]}""", "messages[0].content" },
        { """{"model":"m","messages":[{"role":"user","content":null}]}""", "messages[0].content" },
        { """{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}""", "messages[1].content[0].image_url.url" },
        { """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":7}}]}]}""", "messages[0].content[0].image_url.url" },
        { """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}""", "messages[0].content[0].image_url.url" },
        { """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}""", "messages[0].content[0].image_url.url" },
        { """{"model":"m","messages":[{"role":"user","content":[{"type":"video"}]}]}""", "messages[0].content[0].type" },
        { """{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}""", "messages[0].content[0].type" },
        { """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":1}]}]}""", "messages[0].content[0].text" },
        { """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{}}]}]}""", "messages[0].content[0].file" },
        { """{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA=="}}]}]}""", "messages[0].content[0].input_audio" },
        { """{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://a/b"}}]}]}""", "messages[0].content[0].type" },
        { """{"model":"m","messages":[{"role":"tool","content":"x"}]}""", "messages[0].tool_call_id" },
        { """{"model":"m","messages":[{"role":"assistant","content":3}]}""", "messages[0].content" },
        { """{"model":"m","messages":[{"role":"assistant","tool_calls":{}}]}""", "messages[0].tool_calls" },
        { """{"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f"}}]}]}""", "messages[0].tool_calls[0].id" },
        { """{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{}}]}]}""", "messages[0].tool_calls[0].function.name" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":1}}""", "stream_options.include_usage" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", "temperature" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":-1}""", "max_tokens" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":1.5}""", "max_completion_tokens" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"stop":[1]}""", "stop" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":{}}""", "tools" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{}}]}""", "tools[0].function.name" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":"sometimes"}""", "tool_choice" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"parallel_tool_calls":"no"}""", "parallel_tool_calls" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"reasoning_effort":3}""", "reasoning_effort" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"reasoning":"high"}""", "reasoning" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"xml"}}""", "response_format.type" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema"}}""", "response_format.json_schema" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"provider":[]}""", "provider" },
        { """{"model":"m","messages":[{"role":"user","content":"hi"}],"models":"a"}""", "models" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public void InvalidBody_ReturnsValidationErrorNamingTheField(string json, string param)
    {
        var result = ChatRequestTranslator.Translate(Encoding.UTF8.GetBytes(json), FixtureIdentity(), IdentifierOptions.Default, null);
        Assert.False(result.IsValid);
        Assert.Equal(param, result.Error.Param);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Fact]
    public void Settings_AreMappedAndUnknownFieldsIgnored()
    {
        var result = Translate("""
            {"model":"m","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"hi"}],
             "max_tokens":10,"max_completion_tokens":20,"top_p":0.5,"top_k":40,"seed":7,"stop":["x"],
             "parallel_tool_calls":false,"tool_choice":{"type":"function","function":{"name":"f"}},
             "functions":[{"name":"f","parameters":{"type":"object"}}],
             "response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"},"strict":true}},
             "provider":{"order":["a"]},"models":["b"],"plugins":[{"id":"web"}],"transforms":["middle-out"],
             "logit_bias":{"1":2},"n":3,"stream_options":{"include_usage":false}}
            """);

        var request = result.Request!;
        Assert.Equal(20, (long)request["max_output_tokens"]!);
        Assert.Equal(0.5, (double)request["top_p"]!);
        Assert.Equal(40, (int)request["top_k"]!);
        Assert.Equal(7, (int)request["seed"]!);
        Assert.Equal("x", (string?)request["stop"]![0]);
        Assert.False((bool)request["parallel_tool_calls"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"function","name":"f"}"""), request["tool_choice"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"type":"function","name":"f","parameters":{"type":"object"}}]"""), request["tools"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"format":{"type":"json_schema","name":"s","schema":{"type":"object"},"strict":true}}"""), request["text"]));
        Assert.Equal("a", (string?)request["provider"]!["order"]![0]);
        Assert.Equal("b", (string?)request["models"]![0]);
        Assert.Equal("web", (string?)request["plugins"]![0]!["id"]);
        Assert.Equal("middle-out", (string?)request["transforms"]![0]);
        Assert.Equal("system", (string?)request["input"]![0]!["role"]);
        foreach (var dropped in (string[])["logit_bias", "n", "stream_options", "reasoning", "include", "max_tokens", "functions"])
        {
            Assert.False(request.ContainsKey(dropped), dropped);
        }

        Assert.False((bool)request["store"]!);
        Assert.False((bool)request["stream"]!);
        Assert.False(result.ReasoningRequested);
        Assert.False(result.IncludeUsage);
    }

    [Theory]
    [InlineData("""{"reasoning":{"effort":"high","max_tokens":100}}""", true, """{"effort":"high","max_tokens":100,"summary":"auto"}""")]
    [InlineData("""{"reasoning":{"summary":"detailed"},"reasoning_effort":"low"}""", true, """{"summary":"detailed","effort":"low"}""")]
    [InlineData("""{"reasoning_effort":"none"}""", false, """{"effort":"none"}""")]
    [InlineData("""{"reasoning":{"enabled":false}}""", false, """{"enabled":false}""")]
    public void Reasoning_AddsSummaryAndEncryptedIncludeOnlyWhenAsked(string extra, bool requested, string reasoning)
    {
        var body = JsonNode.Parse("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""")!.AsObject();
        foreach (var pair in JsonNode.Parse(extra)!.AsObject())
        {
            body[pair.Key] = pair.Value!.DeepClone();
        }

        var result = ChatRequestTranslator.Translate(body, FixtureIdentity(), IdentifierOptions.Default, null);

        Assert.Equal(requested, result.ReasoningRequested);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(reasoning), result.Request!["reasoning"]), result.Request!["reasoning"]!.ToJsonString());
        Assert.Equal(requested, result.Request.ContainsKey("include"));
        if (requested)
        {
            Assert.Equal("reasoning.encrypted_content", (string?)result.Request["include"]![0]);
        }
    }

    [Fact]
    public void ContentParts_MapToResponsesInputParts()
    {
        var result = Translate("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"image_url","image_url":"https://img/x.png"},
              {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,AAAA"}},
              {"type":"file","file":{"filename":"b.pdf","file_data":"https://files/b.pdf"}},
              {"type":"file","file":{"file_url":"https://files/c.pdf"}},
              {"type":"input_audio","input_audio":{"data":"UklG","format":"wav"}}]}]}
            """);

        var expected = JsonNode.Parse("""
            [{"type":"input_image","image_url":"https://img/x.png","detail":"auto"},
             {"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,AAAA"},
             {"type":"input_file","filename":"b.pdf","file_url":"https://files/b.pdf"},
             {"type":"input_file","file_url":"https://files/c.pdf"},
             {"type":"input_audio","input_audio":{"data":"UklG","format":"wav"}}]
            """);
        Assert.True(JsonNode.DeepEquals(expected, result.Request!["input"]![0]!["content"]), result.Request["input"]!.ToJsonString());
    }

    [Fact]
    public void MarkersAndNotices_AreStrippedFromEveryMessage()
    {
        var result = Translate($$"""
            {"model":"m","messages":[
              {"role":"system","content":"rules\n[{{MarkerA}}]: #"},
              {"role":"user","content":[{"type":"text","text":"> ⚠ attachment removed: too large\n\nlook at this"}]},
              {"role":"assistant","content":"The answer.\n\n[{{MarkerA}}]: #\n\n[{{MarkerB}}]: #\n"},
              {"role":"assistant","content":"[{{MarkerB}}]: #"},
              {"role":"user","content":"next"}]}
            """);

        var input = result.Request!["input"]!.AsArray();
        Assert.Equal("rules", (string?)input[0]!["content"]![0]!["text"]);
        Assert.Equal("look at this", (string?)input[1]!["content"]![0]!["text"]);
        Assert.Equal("The answer.", (string?)input[2]!["content"]);

        // A turn made only of markers leaves no empty assistant message behind.
        Assert.Equal("next", (string?)input[3]!["content"]![0]!["text"]);
        Assert.Equal(4, input.Count);
        Assert.Equal([MarkerA, MarkerB, MarkerB], result.MarkerIds);
        Assert.Equal(0, result.ReplayedItemCount);
    }

    [Fact]
    public void Replay_InsertsStoredItemsBeforeTheirTurnAndCalls()
    {
        var replay = new FakeReplaySource();
        replay.Markers[MarkerA] = JsonNode.Parse("""{"type":"reasoning","id":"rs_A","encrypted_content":"x"}""")!;
        replay.Calls["call_1"] = [JsonNode.Parse("""{"type":"reasoning","id":"rs_T","encrypted_content":"y"}""")!];
        replay.Calls["call_2"] = [JsonNode.Parse("""{"type":"reasoning","id":"rs_T","encrypted_content":"y"}""")!];

        var body = JsonNode.Parse($$$"""
            {"model":"m","messages":[
              {"role":"user","content":"q1"},
              {"role":"assistant","content":"a1\n\n[{{{MarkerA}}}]: #"},
              {"role":"user","content":"q2"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}},
                {"id":"call_2","type":"function","function":{"name":"g","arguments":{"k":1} } }]},
              {"role":"tool","tool_call_id":"call_1","content":"r1"},
              {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"r2"}]}]}
            """)!.AsObject();

        var keys = ChatRequestTranslator.CollectReplayKeys(body);
        Assert.Equal([MarkerA], keys.MarkerIds);
        Assert.Equal(["call_1", "call_2"], keys.CallIds);

        var result = ChatRequestTranslator.Translate(body, FixtureIdentity(), IdentifierOptions.Default, replay);
        var types = result.Request!["input"]!.AsArray().Select(i => (string?)i!["id"] ?? (string?)i["type"] + ":" + ((string?)i["call_id"] ?? (string?)i["role"])).ToArray();

        Assert.Equal(
            ["message:user", "rs_A", "message:assistant", "message:user", "rs_T", "function_call:call_1", "function_call:call_2",
             "function_call_output:call_1", "function_call_output:call_2"],
            types);
        Assert.Equal(2, result.ReplayedItemCount);
        Assert.Equal([[MarkerA]], replay.MarkerRequests);
        Assert.Equal("{\"k\":1}", (string?)result.Request["input"]![6]!["arguments"]);
        Assert.Equal("r2", (string?)result.Request["input"]![8]!["output"]);
    }

    [Fact]
    public void Replay_NullSource_ReplaysNothingButStillStrips()
    {
        var result = Translate($$$"""{"model":"m","messages":[{"role":"assistant","content":"a\n[{{{MarkerA}}}]: #"},{"role":"user","content":"q"}]}""");
        Assert.Equal(2, result.Request!["input"]!.AsArray().Count);
        Assert.Equal("a", (string?)result.Request["input"]![0]!["content"]);
        Assert.Equal([MarkerA], result.MarkerIds);
    }

    internal static CallerIdentity FixtureIdentity()
    {
        var headers = LoadRequest("chat-completions.openwebui.headers.json")["headers"]!;
        return new CallerIdentity(
            Tenant: "default",
            UserId: (string)headers["X-OpenWebUI-User-Id"]!,
            UserEmail: (string?)headers["X-OpenWebUI-User-Email"],
            UserName: Uri.UnescapeDataString((string)headers["X-OpenWebUI-User-Name"]!),
            UserRole: (string?)headers["X-OpenWebUI-User-Role"],
            ChatId: (string?)headers["X-OpenWebUI-Chat-Id"],
            MessageId: (string)headers["X-OpenWebUI-Message-Id"]!,
            SessionId: null,
            RequestId: "req-1");
    }

    private static TranslationResult Translate(string json)
    {
        var result = ChatRequestTranslator.Translate(Encoding.UTF8.GetBytes(json), FixtureIdentity(), IdentifierOptions.Default, null);
        Assert.True(result.IsValid, result.Error?.Param + ": " + result.Error?.Message);
        return result;
    }

    private static JsonNode LoadRequest(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(SseFixture.Root, "requests", name)))!;

    private sealed class FakeReplaySource : IArtifactReplaySource
    {
        public Dictionary<string, JsonNode> Markers { get; } = [];

        public Dictionary<string, JsonNode[]> Calls { get; } = [];

        public List<string[]> MarkerRequests { get; } = [];

        public IReadOnlyList<JsonNode> ResolveMarkers(IReadOnlyList<string> ids)
        {
            MarkerRequests.Add([.. ids]);
            return ids.Where(Markers.ContainsKey).Select(id => Markers[id]).ToArray();
        }

        public IReadOnlyList<JsonNode> ResolveCallReasoning(string callId) => Calls.TryGetValue(callId, out var items) ? items : [];
    }
}
