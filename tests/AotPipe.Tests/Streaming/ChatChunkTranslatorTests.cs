using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.Streaming;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Streaming;

public sealed class ChatChunkTranslatorTests
{
    private const long Now = 1_800_000_000;

    public static TheoryData<string> Streams => new(SseFixture.StreamNames());

    [Fact]
    public void Fixtures_EveryStreamHasExpectations()
    {
        var expected = LoadExpected().Select(p => p.Key).Where(k => k.EndsWith(".sse", StringComparison.Ordinal)).Order();
        Assert.Equal(expected, SseFixture.StreamNames());
        Assert.Equal(6, SseFixture.StreamNames().Count());
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Stream_MatchesExpectedClientView(string name)
    {
        var expected = LoadExpected()[name]!.AsObject();
        var client = expected["client"]!.AsObject();
        var translator = NewTranslator(includeUsage: true);

        var parsed = ParsedChunkStream.Parse(Run(translator, name, segmented: false).WrittenSpan);

        Assert.Equal("chatcmpl-" + (string)expected["response_id"]!, parsed.Ids.Single());
        Assert.Equal(Now, parsed.Created.Single());
        Assert.Equal((string)expected["model"]!, parsed.Models.Single());
        Assert.Equal((string?)client["content"], string.IsNullOrEmpty(parsed.Content) ? null : parsed.Content);
        Assert.Equal(ParsedChunkStream.CollapseWhitespace((string?)client["reasoning"]), ParsedChunkStream.CollapseWhitespace(parsed.Reasoning));
        Assert.Equal((string)client["finish_reason"]!, Assert.Single(parsed.FinishReasons));

        var expectedCalls = client["tool_calls"]!.AsArray();
        Assert.Equal(expectedCalls.Count, parsed.ToolCalls.Count);
        foreach (var call in expectedCalls)
        {
            var actual = parsed.ToolCalls[(int)call!["index"]!];
            Assert.Equal((string?)call["id"], actual.Id);
            Assert.Equal((string?)call["type"], actual.Type);
            Assert.Equal((string?)call["function"]!["name"], actual.Name);
            Assert.Equal(1, actual.NameCount);
            Assert.Equal((string?)call["function"]!["arguments"], actual.Arguments.ToString());
        }

        if (client["usage"] is JsonObject usage)
        {
            var usageChunk = Assert.Single(parsed.UsageChunks);
            Assert.True(ParsedChunkStream.JsonEquals(usage, usageChunk["usage"]), usageChunk["usage"]!.ToJsonString());
            Assert.Same(usageChunk, parsed.Chunks[^1]);
        }
        else
        {
            Assert.Empty(parsed.UsageChunks);
        }

        if (client["error"] is JsonObject error)
        {
            var errorChunk = Assert.Single(parsed.ErrorChunks);
            Assert.Same(errorChunk, parsed.Chunks[^1]);
            var actual = errorChunk["error"]!;
            Assert.Equal((string?)error["message"], (string?)actual["message"]);
            Assert.Equal((string?)error["code"], (string?)actual["code"]);
            Assert.Equal((string?)error["error_type"], (string?)actual["error_type"]);
            Assert.Equal("upstream_error", (string?)actual["type"]);
        }
        else
        {
            Assert.Empty(parsed.ErrorChunks);
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Stream_CapturesExpectedPersistItems(string name)
    {
        var persist = LoadExpected()[name]!["persist"]!.AsObject();
        var translator = NewTranslator(includeUsage: false);
        Run(translator, name, segmented: false);

        Assert.Equal((string)persist["status"]!, translator.Outcome.ToString().ToLowerInvariant());
        Assert.DoesNotContain(translator.CapturedItems, i => i.Type == "message");

        var reasoning = translator.CapturedItems.Where(i => i.Type == "reasoning").ToList();
        var expectedReasoning = persist["reasoning_items"]!.AsArray();
        Assert.Equal(expectedReasoning.Count, reasoning.Count);
        for (var i = 0; i < reasoning.Count; i++)
        {
            AssertReasoningItem(expectedReasoning[i]!.AsObject(), reasoning[i]);
        }

        var calls = translator.CapturedItems.Where(i => i.Type == "function_call").ToList();
        var expectedCalls = persist["function_calls"]!.AsArray();
        Assert.Equal(expectedCalls.Count, calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            var raw = JsonNode.Parse(calls[i].RawItemJson)!;
            Assert.Equal((string?)expectedCalls[i]!["item_id"], calls[i].ItemId);
            Assert.Equal((string?)expectedCalls[i]!["call_id"], calls[i].CallId);
            Assert.Equal((string?)expectedCalls[i]!["name"], (string?)raw["name"]);
            Assert.Equal((string?)expectedCalls[i]!["arguments"], (string?)raw["arguments"]);
        }

        Assert.Equal(expectedCalls.Count > 0, translator.EndedWithToolCalls);
        if (persist["usage"] is JsonObject usage)
        {
            Assert.Equal((long)usage["input_tokens"]!, translator.PromptTokens);
            Assert.Equal((long)usage["output_tokens"]!, translator.CompletionTokens);
            Assert.Equal((double)usage["cost"]!, translator.Cost);
        }
        else
        {
            Assert.False(translator.HasUsage);
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Stream_SplitAcrossSegments_WritesIdenticalBytes(string name)
    {
        var whole = Run(NewTranslator(includeUsage: true), name, segmented: false).WrittenSpan.ToArray();
        var split = Run(NewTranslator(includeUsage: true), name, segmented: true).WrittenSpan.ToArray();
        Assert.Equal(whole, split);
    }

    [Fact]
    public void Reset_ReusedInstance_WritesSameBytesAndKeepsEarlierCaptures()
    {
        var pooled = NewTranslator(includeUsage: true);
        Run(pooled, "stream-function-call.sse", segmented: false);
        var earlier = pooled.CapturedItems;
        Assert.Equal(2, earlier.Count);

        pooled.Reset("request/model", includeUsage: true, "req-1");
        var reused = Run(pooled, "stream-reasoning-summary.sse", segmented: false).WrittenSpan.ToArray();
        var fresh = Run(NewTranslator(includeUsage: true), "stream-reasoning-summary.sse", segmented: false).WrittenSpan.ToArray();

        Assert.Equal(fresh, reused);
        Assert.Equal(2, earlier.Count);
        Assert.Single(pooled.CapturedItems);
        Assert.False(pooled.EndedWithToolCalls);
    }

    [Fact]
    public void IncludeUsageFalse_WritesNoUsageChunk()
    {
        var parsed = ParsedChunkStream.Parse(Run(NewTranslator(includeUsage: false), "stream-text-basic.sse", segmented: false).WrittenSpan);
        Assert.Empty(parsed.UsageChunks);
        Assert.Equal("stop", parsed.FinishReasons.Single());
    }

    [Fact]
    public void Terminal_WritesNothingUntilCompletion_SoAMarkerGoesFirst()
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        TranslateStatus last = default;
        var beforeTerminal = 0;
        foreach (var payload in SseFixture.ReadDataPayloads("stream-text-basic.sse"))
        {
            beforeTerminal = output.WrittenCount;
            last = translator.OnEvent(new ReadOnlySequence<byte>(payload), output);
            if (last == TranslateStatus.Terminal)
            {
                break;
            }
        }

        Assert.Equal(TranslateStatus.Terminal, last);
        Assert.Equal(beforeTerminal, output.WrittenCount);

        translator.WriteContentDelta("\n\n[01ARZ3NDEKTSV4RRFFQ6]: #\n\"quoted\" — ok", output);
        translator.WriteCompletion(output);
        var parsed = ParsedChunkStream.Parse(output.WrittenSpan);

        Assert.EndsWith("atmosphere.\n\n[01ARZ3NDEKTSV4RRFFQ6]: #\n\"quoted\" — ok", parsed.Content, StringComparison.Ordinal);
        var markerIndex = parsed.Chunks.FindIndex(c => ((string?)c["choices"]?[0]?["delta"]?["content"])?.Contains("[01ARZ3NDEKTSV4RRFFQ6]", StringComparison.Ordinal) == true);
        var finishIndex = parsed.Chunks.FindIndex(c => c["choices"]?.AsArray().Count > 0 && (string?)c["choices"]![0]!["finish_reason"] == "stop");
        Assert.True(markerIndex >= 0 && markerIndex < finishIndex);
    }

    [Fact]
    public void UpstreamDone_IsReportedAndWritesNothing()
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(TranslateStatus.UpstreamDone, translator.OnEvent(Sequence("[DONE]"), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("{\"type\":\"response.reasoning_summary_part.added\",\"output_index\":0}")]
    [InlineData("{\"type\":\"keepalive\"}")]
    [InlineData("{\"no_type\":1}")]
    [InlineData("{\"type\":\"response.output_text.delta\",\"delta\":5}")]
    public void UnknownOrEmptyEvents_AreIgnored(string data)
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(TranslateStatus.Ignored, translator.OnEvent(Sequence(data), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"type\":\"response.output_text.delta\",\"delta\":\"a")]
    public void MalformedData_IsReportedAndWritesNothing(string data)
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(TranslateStatus.Malformed, translator.OnEvent(Sequence(data), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void DeltaBeforeCreated_StartsWithFallbackIdAndRequestModel()
    {
        var translator = NewTranslator(includeUsage: false);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence("{\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi \\\"there\\\"\\n\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"usage\":null}}"), output);
        translator.WriteCompletion(output);

        var parsed = ParsedChunkStream.Parse(output.WrittenSpan);
        Assert.Equal("chatcmpl-req-1", parsed.Ids.Single());
        Assert.Equal("request/model", parsed.Models.Single());
        Assert.Equal("Hi \"there\"\n", parsed.Content);
    }

    [Fact]
    public void EscapedPropertyNames_AreStillRecognised()
    {
        var translator = NewTranslator(includeUsage: false);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        Assert.Equal(TranslateStatus.Continue, translator.OnEvent(Sequence("{\"typ\\u0065\":\"response.output_text.delta\",\"output_\\u0069ndex\":0,\"delt\\u0061\":\"x\"}"), output));
        translator.OnEvent(Sequence("{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}"), output);
        translator.WriteCompletion(output);

        Assert.Equal("x", ParsedChunkStream.Parse(output.WrittenSpan).Content);
    }

    [Fact]
    public void FlatErrorEvent_NumericCode_WritesErrorChunkWithNumber()
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        Assert.Equal(TranslateStatus.Terminal, translator.OnEvent(Sequence("{\"type\":\"error\",\"code\":429,\"message\":\"Rate limited\",\"param\":null,\"sequence_number\":3}"), output));
        translator.WriteCompletion(output);

        var parsed = ParsedChunkStream.Parse(output.WrittenSpan);
        var error = parsed.ErrorChunks.Single()["error"]!;
        Assert.Equal(JsonValueKind.Number, error["code"]!.GetValueKind());
        Assert.Equal(429, (int)error["code"]!);
        Assert.Equal("Rate limited", (string?)error["message"]);
        Assert.Equal("error", parsed.FinishReasons.Single());
        Assert.Equal(ResponseOutcome.Failed, translator.Outcome);
    }

    [Fact]
    public void ResponseErrorEvent_NestedStringCode_WritesErrorChunk()
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        translator.OnEvent(Sequence("{\"type\":\"response.error\",\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Slow down\"}}"), output);
        translator.WriteCompletion(output);

        var error = ParsedChunkStream.Parse(output.WrittenSpan).ErrorChunks.Single()["error"]!;
        Assert.Equal("rate_limit_exceeded", (string?)error["code"]);
        Assert.Equal("Slow down", (string?)error["message"]);
    }

    [Theory]
    [InlineData("max_output_tokens", "length")]
    [InlineData("content_filter", "content_filter")]
    public void Incomplete_MapsFinishReason(string reason, string finish)
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        translator.OnEvent(Sequence("{\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"" + reason + "\"},\"usage\":{\"input_tokens\":3,\"output_tokens\":5,\"total_tokens\":8}}}"), output);
        translator.WriteCompletion(output);

        var parsed = ParsedChunkStream.Parse(output.WrittenSpan);
        Assert.Equal(finish, parsed.FinishReasons.Single());
        Assert.Equal(8, (int)parsed.UsageChunks.Single()["usage"]!["total_tokens"]!);
        Assert.Equal(ResponseOutcome.Incomplete, translator.Outcome);
    }

    [Fact]
    public void WriteInterrupted_AfterDeltas_EndsWithErrorChunkAndDone()
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        foreach (var payload in SseFixture.ReadDataPayloads("stream-text-basic.sse").Take(10))
        {
            translator.OnEvent(new ReadOnlySequence<byte>(payload), output);
        }

        translator.WriteInterrupted("upstream_timeout", "No upstream data for 300 s.", output);
        translator.WriteCompletion(output);

        var parsed = ParsedChunkStream.Parse(output.WrittenSpan);
        Assert.Equal("error", parsed.FinishReasons.Single());
        var error = parsed.ErrorChunks.Single();
        Assert.Same(error, parsed.Chunks[^1]);
        Assert.Equal("upstream_timeout", (string?)error["error"]!["code"]);
        Assert.Equal("upstream_error", (string?)error["error"]!["type"]);
        Assert.Equal(ResponseOutcome.Interrupted, translator.Outcome);
    }

    [Fact]
    public void WriteCompletion_WithoutTerminalEvent_NeverLooksSuccessful()
    {
        var translator = NewTranslator(includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        translator.WriteCompletion(output);

        var parsed = ParsedChunkStream.Parse(output.WrittenSpan);
        Assert.Equal("error", parsed.FinishReasons.Single());
        Assert.Equal("upstream_incomplete", (string?)parsed.ErrorChunks.Single()["error"]!["code"]);
    }

    [Fact]
    public void FunctionCallOnlyInDoneEvent_OpensOnceWithWholeArguments()
    {
        var translator = NewTranslator(includeUsage: false);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        translator.OnEvent(Sequence("{\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"delta\":\"{}\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"fc_2\",\"type\":\"function_call\",\"call_id\":\"call_2\",\"name\":\"g\",\"arguments\":\"{}\"}}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}"), output);
        translator.WriteCompletion(output);

        var parsed = ParsedChunkStream.Parse(output.WrittenSpan);
        Assert.Equal(2, parsed.ToolCalls.Count);
        Assert.Equal("call_1", parsed.ToolCalls[0].Id);
        Assert.Equal("{\"a\":1}", parsed.ToolCalls[0].Arguments.ToString());
        Assert.Equal(1, parsed.ToolCalls[0].NameCount);
        Assert.Equal("g", parsed.ToolCalls[1].Name);
        Assert.Equal("tool_calls", parsed.FinishReasons.Single());
        Assert.True(translator.EndedWithToolCalls);
    }

    [Theory]
    [InlineData("web_search_call", false)]
    [InlineData("image_generation_call", false)]
    [InlineData("file_search_call", false)]
    [InlineData("code_interpreter_call", false)]
    [InlineData("computer_call", false)]
    [InlineData("mcp_list_tools", false)]
    [InlineData("message", false)]
    [InlineData("reasoning", true)]
    [InlineData("custom_tool_call", true)]
    public void OutputItemDone_CapturesOnlyReplayableItems(string type, bool captured)
    {
        var translator = NewTranslator(includeUsage: false);
        var output = new ArrayBufferWriter<byte>();
        var item = "{\"id\":\"it_1\",\"type\":\"" + type + "\",\"status\":\"completed\"}";
        translator.OnEvent(Sequence("{\"type\":\"response.output_item.done\",\"output_index\":4,\"item\":" + item + ",\"sequence_number\":9}"), output);

        if (captured)
        {
            var single = Assert.Single(translator.CapturedItems);
            Assert.Equal(type, single.Type);
            Assert.Equal("it_1", single.ItemId);
            Assert.Equal(4, single.OutputIndex);
            Assert.Equal(item, Encoding.UTF8.GetString(single.RawItemJson));
        }
        else
        {
            Assert.Empty(translator.CapturedItems);
        }
    }

    [Fact]
    public void ReasoningParts_AreSeparatedByBlankLine()
    {
        var translator = NewTranslator(includeUsage: false);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        translator.OnEvent(Sequence("{\"type\":\"response.reasoning_summary_text.delta\",\"output_index\":0,\"summary_index\":0,\"delta\":\"A\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.reasoning_summary_text.delta\",\"output_index\":0,\"summary_index\":0,\"delta\":\"B\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.reasoning_summary_text.delta\",\"output_index\":0,\"summary_index\":1,\"delta\":\"C\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.reasoning_text.delta\",\"output_index\":2,\"content_index\":0,\"delta\":\"D\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}"), output);
        translator.WriteCompletion(output);

        Assert.Equal("AB\n\nC\n\nD", ParsedChunkStream.Parse(output.WrittenSpan).Reasoning);
    }

    [Fact]
    public void OutputTextDoneWithoutDeltas_SendsTheWholeText()
    {
        var translator = NewTranslator(includeUsage: false);
        var output = new ArrayBufferWriter<byte>();
        translator.OnEvent(Sequence(Created), output);
        translator.OnEvent(Sequence("{\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":0,\"delta\":\"streamed\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.output_text.done\",\"output_index\":0,\"content_index\":0,\"text\":\"streamed\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.output_text.done\",\"output_index\":1,\"content_index\":0,\"text\":\" whole\"}"), output);
        translator.OnEvent(Sequence("{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}"), output);
        translator.WriteCompletion(output);

        Assert.Equal("streamed whole", ParsedChunkStream.Parse(output.WrittenSpan).Content);
    }

    private const string Created = "{\"type\":\"response.created\",\"response\":{\"id\":\"gen-1\",\"model\":\"up/model\",\"status\":\"in_progress\",\"usage\":null}}";

    private static ChatChunkTranslator NewTranslator(bool includeUsage) =>
        new(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)), "request/model", includeUsage, "req-1");

    private static ReadOnlySequence<byte> Sequence(string data) => new(Encoding.UTF8.GetBytes(data));

    private static ArrayBufferWriter<byte> Run(ChatChunkTranslator translator, string name, bool segmented)
    {
        var output = new ArrayBufferWriter<byte>();
        var random = new Random(name.Length);
        foreach (var payload in SseFixture.ReadDataPayloads(name))
        {
            var data = segmented ? BufferSegment.Split(payload, random) : new ReadOnlySequence<byte>(payload);
            var status = translator.OnEvent(data, output);
            Assert.NotEqual(TranslateStatus.Malformed, status);
            if (status == TranslateStatus.Terminal)
            {
                translator.WriteCompletion(output);
            }
        }

        if (!translator.IsTerminal)
        {
            translator.WriteCompletion(output);
        }

        return output;
    }

    private static void AssertReasoningItem(JsonObject expected, CapturedItem actual)
    {
        var raw = JsonNode.Parse(actual.RawItemJson)!.AsObject();
        Assert.Equal((string?)expected["id"], actual.ItemId);
        Assert.Equal((string?)expected["format"], (string?)raw["format"]);
        var summaries = raw["summary"]?.AsArray().Select(s => (string?)s!["text"]).ToArray() ?? [];
        Assert.Equal(expected["summary"]!.AsArray().Select(s => (string?)s).ToArray(), summaries);
        var text = raw["content"] is JsonArray content ? string.Concat(content.Select(c => (string?)c!["text"])) : null;
        Assert.Equal((string?)expected["text"], text);

        foreach (var field in (string[])["encrypted_content", "signature"])
        {
            if (expected[field + "_sha256"] is JsonValue sha)
            {
                var value = Encoding.UTF8.GetBytes((string)raw[field]!);
                Assert.Equal((string)sha!, Convert.ToHexStringLower(SHA256.HashData(value)));
                Assert.Equal((int)expected[field + "_length"]!, value.Length);
            }
        }
    }

    internal static JsonObject LoadExpected() =>
        JsonNode.Parse(File.ReadAllText(SseFixture.ResponsesPath("expected.json")))!["fixtures"]!.AsObject();
}
