using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AotPipe.Streaming;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Streaming;

public sealed class ChatCompletionAssemblerTests
{
    private static readonly FakeTimeProvider s_time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Fact]
    public void NonStreamFixture_BecomesExpectedChatCompletion()
    {
        var expected = ChatChunkTranslatorTests.LoadExpected()["response-nonstream.json"]!.AsObject();
        var client = expected["client"]!;
        var output = new ArrayBufferWriter<byte>();

        var result = ChatCompletionAssembler.Assemble(
            new ReadOnlySequence<byte>(File.ReadAllBytes(SseFixture.ResponsesPath("response-nonstream.json"))), "req/model", "req-1", s_time, output);

        Assert.True(result.IsWritten);
        var completion = JsonNode.Parse(output.WrittenSpan)!;
        Assert.Equal("chatcmpl-" + (string)expected["response_id"]!, (string?)completion["id"]);
        Assert.Equal("chat.completion", (string?)completion["object"]);
        Assert.Equal(1_800_000_000, (long)completion["created"]!);
        Assert.Equal((string?)expected["model"], (string?)completion["model"]);
        var choice = completion["choices"]![0]!;
        Assert.Equal("assistant", (string?)choice["message"]!["role"]);
        Assert.Equal((string?)client["content"], (string?)choice["message"]!["content"]);
        Assert.Equal(
            ParsedChunkStream.CollapseWhitespace((string?)client["reasoning"]),
            ParsedChunkStream.CollapseWhitespace((string?)choice["message"]!["reasoning_content"]));
        Assert.Null(choice["message"]!["tool_calls"]);
        Assert.Equal((string?)client["finish_reason"], (string?)choice["finish_reason"]);
        Assert.True(ParsedChunkStream.JsonEquals(client["usage"], completion["usage"]), completion["usage"]!.ToJsonString());

        var persisted = expected["persist"]!["reasoning_items"]![0]!;
        var item = Assert.Single(result.CapturedItems);
        Assert.Equal("reasoning", item.Type);
        Assert.Equal((string?)persisted["id"], item.ItemId);
        var encrypted = Encoding.UTF8.GetBytes((string)JsonNode.Parse(item.RawItemJson)!["encrypted_content"]!);
        Assert.Equal((string?)persisted["encrypted_content_sha256"], Convert.ToHexStringLower(SHA256.HashData(encrypted)));
        Assert.Equal((int)persisted["encrypted_content_length"]!, encrypted.Length);
        Assert.Equal(29, result.Usage.PromptTokens);
        Assert.Equal(ResponseOutcome.Completed, result.Outcome);
    }

    [Fact]
    public void FunctionCallBody_BecomesToolCallsWithNullContent()
    {
        var body = """
            {"id":"gen-2","model":"m","status":"completed","output":[
              {"id":"rs_1","type":"reasoning","summary":[],"encrypted_content":"e"},
              {"id":"fc_1","type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"a\":1}"},
              {"id":"ws_1","type":"web_search_call","status":"completed"}],
             "usage":{"input_tokens":5,"output_tokens":6,"total_tokens":11}}
            """;
        var output = new ArrayBufferWriter<byte>();
        var result = ChatCompletionAssembler.Assemble(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)), "m", "req-1", s_time, output);

        var message = JsonNode.Parse(output.WrittenSpan)!["choices"]![0]!;
        Assert.Equal("tool_calls", (string?)message["finish_reason"]);
        Assert.Null(message["message"]!["content"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"a\":1}"}}]"""),
            message["message"]!["tool_calls"]));
        Assert.Equal(["reasoning", "function_call"], result.CapturedItems.Select(i => i.Type));
        Assert.Equal("call_1", result.CapturedItems[1].CallId);
        Assert.True(result.EndedWithToolCalls);
    }

    [Fact]
    public void NoUsage_StillWritesZeroUsage()
    {
        var output = new ArrayBufferWriter<byte>();
        ChatCompletionAssembler.Assemble(new ReadOnlySequence<byte>("""{"status":"completed","output":[]}"""u8.ToArray()), "m", "req-1", s_time, output);
        var completion = JsonNode.Parse(output.WrittenSpan)!;
        Assert.Equal(0, (int)completion["usage"]!["total_tokens"]!);
        Assert.Equal("chatcmpl-req-1", (string?)completion["id"]);
        Assert.Equal("m", (string?)completion["model"]);
        Assert.Equal(string.Empty, (string?)completion["choices"]![0]!["message"]!["content"]);
    }

    [Theory]
    [InlineData("""{"status":"failed","error":{"code":"server_error","message":"boom"},"error_type":"provider_unavailable"}""", "server_error", false)]
    [InlineData("""{"status":"failed","error":{"code":502,"message":"boom"}}""", "502", true)]
    public void FailedBody_WritesNothingAndReportsError(string body, string code, bool numeric)
    {
        var output = new ArrayBufferWriter<byte>();
        var result = ChatCompletionAssembler.Assemble(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)), "m", "req-1", s_time, output);

        Assert.False(result.IsWritten);
        Assert.Equal(0, output.WrittenCount);
        Assert.Equal(ResponseOutcome.Failed, result.Outcome);
        Assert.Equal(code, result.ErrorCode);
        Assert.Equal(numeric, result.ErrorCodeIsNumber);
        Assert.Equal("boom", result.ErrorMessage);
    }

    [Fact]
    public void UnreadableBody_IsAFailureValue()
    {
        var result = ChatCompletionAssembler.Assemble(new ReadOnlySequence<byte>("<html>"u8.ToArray()), "m", "req-1", s_time, new ArrayBufferWriter<byte>());
        Assert.False(result.IsWritten);
        Assert.Equal("upstream_invalid_response", result.ErrorCode);
    }

    [Fact]
    public void IncompleteBody_FinishesWithLength()
    {
        var output = new ArrayBufferWriter<byte>();
        var result = ChatCompletionAssembler.Assemble(
            new ReadOnlySequence<byte>("""{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[{"type":"message","content":[{"type":"output_text","text":"cut"}]}]}"""u8.ToArray()),
            "m", "req-1", s_time, output);
        Assert.Equal("length", (string?)JsonNode.Parse(output.WrittenSpan)!["choices"]![0]!["finish_reason"]);
        Assert.Equal(ResponseOutcome.Incomplete, result.Outcome);
    }
}
