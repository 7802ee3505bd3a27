using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace AotPipe.Tests.Streaming;

/// <summary>A chat chunk stream parsed back, with the structural rules of the chat contract checked on the way.</summary>
internal sealed class ParsedChunkStream
{
    public List<JsonObject> Chunks { get; } = [];

    public string? Content { get; private set; }

    public string? Reasoning { get; private set; }

    public SortedDictionary<int, ToolCall> ToolCalls { get; } = [];

    public List<string> FinishReasons { get; } = [];

    public List<JsonObject> UsageChunks { get; } = [];

    public List<JsonObject> ErrorChunks { get; } = [];

    public HashSet<string> Ids { get; } = [];

    public HashSet<long> Created { get; } = [];

    public HashSet<string> Models { get; } = [];

    public sealed class ToolCall
    {
        public string? Id { get; set; }

        public string? Type { get; set; }

        public string? Name { get; set; }

        public int NameCount { get; set; }

        public StringBuilder Arguments { get; } = new();
    }

    public static ParsedChunkStream Parse(ReadOnlySpan<byte> output)
    {
        var text = Encoding.UTF8.GetString(output);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        var frames = text.Split("\n\n");
        Assert.Equal(string.Empty, frames[^1]);
        Assert.Equal("data: [DONE]", frames[^2]);

        var parsed = new ParsedChunkStream();
        StringBuilder? content = null;
        StringBuilder? reasoning = null;
        for (var i = 0; i < frames.Length - 2; i++)
        {
            var frame = frames[i];

            // Every chunk is exactly one data line.
            Assert.StartsWith("data: {", frame, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', frame);
            Assert.DoesNotContain('\r', frame);
            var chunk = JsonNode.Parse(frame.AsSpan(6).ToString())!.AsObject();
            parsed.Chunks.Add(chunk);
            Assert.Equal("chat.completion.chunk", (string?)chunk["object"]);
            parsed.Ids.Add((string)chunk["id"]!);
            parsed.Created.Add((long)chunk["created"]!);
            parsed.Models.Add((string)chunk["model"]!);

            var choices = chunk["choices"]!.AsArray();
            if (i == 0)
            {
                Assert.Single(choices);
                Assert.Equal("assistant", (string?)choices[0]!["delta"]!["role"]);
            }
            else
            {
                Assert.Null(choices.Count > 0 ? choices[0]!["delta"]?["role"] : null);
            }

            if (chunk["usage"] is JsonObject)
            {
                Assert.Empty(choices);
                parsed.UsageChunks.Add(chunk);
            }

            if (chunk["error"] is JsonObject)
            {
                Assert.Empty(choices);
                parsed.ErrorChunks.Add(chunk);
            }

            foreach (var choice in choices)
            {
                var delta = choice!["delta"]!.AsObject();
                if (delta["content"] is JsonValue contentValue)
                {
                    (content ??= new()).Append((string)contentValue!);
                }

                if (delta["reasoning_content"] is JsonValue reasoningValue)
                {
                    (reasoning ??= new()).Append((string)reasoningValue!);
                }

                if (delta["tool_calls"] is JsonArray calls)
                {
                    foreach (var call in calls)
                    {
                        var index = (int)call!["index"]!;
                        if (!parsed.ToolCalls.TryGetValue(index, out var accumulated))
                        {
                            accumulated = new ToolCall();
                            parsed.ToolCalls[index] = accumulated;
                        }

                        accumulated.Id ??= (string?)call["id"];
                        accumulated.Type ??= (string?)call["type"];
                        if (call["function"]?["name"] is JsonValue name)
                        {
                            accumulated.Name = (string)name!;
                            accumulated.NameCount++;
                        }

                        if (call["function"]?["arguments"] is JsonValue arguments)
                        {
                            accumulated.Arguments.Append((string)arguments!);
                        }
                    }
                }

                if (choice["finish_reason"] is JsonValue finish)
                {
                    parsed.FinishReasons.Add((string)finish!);
                }
            }
        }

        parsed.Content = content?.ToString();
        parsed.Reasoning = reasoning?.ToString();

        // One id and one created per response.
        Assert.Single(parsed.Ids);
        Assert.Single(parsed.Created);
        Assert.Single(parsed.Models);
        return parsed;
    }

    public static string? CollapseWhitespace(string? text) =>
        text is null ? null : string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public static bool JsonEquals(JsonNode? expected, JsonNode? actual)
    {
        // Numbers compare by value (3.892e-05 and 3.892E-05 are the same cost).
        if (expected is JsonValue ev && actual is JsonValue av
            && ev.GetValueKind() == JsonValueKind.Number && av.GetValueKind() == JsonValueKind.Number)
        {
            return ev.GetValue<double>() == av.GetValue<double>();
        }

        if (expected is JsonObject eo && actual is JsonObject ao)
        {
            return eo.Count == ao.Count && eo.All(p => ao.ContainsKey(p.Key) && JsonEquals(p.Value, ao[p.Key]));
        }

        return JsonNode.DeepEquals(expected, actual);
    }
}
