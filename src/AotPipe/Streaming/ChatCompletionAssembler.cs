using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AotPipe.Streaming;

/// <summary>
/// Turns a non-stream Responses body into one <c>chat.completion</c> (message content, <c>reasoning_content</c>,
/// <c>tool_calls</c>, finish reason and, always, usage) and captures the replayable items. A failed response writes
/// nothing: the caller answers with the upstream error.
/// </summary>
internal static class ChatCompletionAssembler
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Assembles the completion into <paramref name="output"/>.</summary>
    /// <param name="responsesBody">The upstream JSON body.</param>
    /// <param name="requestModel">The requested model, used when the upstream names none.</param>
    /// <param name="requestId">The gateway request id, used as the id when the upstream sends none.</param>
    /// <param name="timeProvider">Source of <c>created</c>.</param>
    /// <param name="output">Receives the UTF-8 JSON body.</param>
    /// <param name="contentPrefix">Text that leads the message content (attachment notices), or null.</param>
    public static AssembledCompletion Assemble(
        ReadOnlySequence<byte> responsesBody, string requestModel, string requestId, TimeProvider timeProvider, IBufferWriter<byte> output, string? contentPrefix = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(responsesBody);
        }
        catch (JsonException)
        {
            return Unreadable(requestModel);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Unreadable(requestModel);
            }

            var responseId = GetString(root, "id");
            var model = GetString(root, "model") is { Length: > 0 } upstreamModel ? upstreamModel : requestModel;
            var status = GetString(root, "status");
            var hasUsage = root.TryGetProperty("usage", out var usageElement) && usageElement.ValueKind == JsonValueKind.Object;
            var usage = hasUsage ? ReadUsage(usageElement) : default;

            if (status is "failed" or "cancelled" || (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object))
            {
                return Failed(root, responseId, model, usage, hasUsage);
            }

            // Attachment notices (DESIGN.md section 6) lead the answer, as in the streamed form.
            var content = new StringBuilder(contentPrefix);
            var reasoning = new StringBuilder();
            var captured = new List<CapturedItem>();
            var toolCalls = new List<JsonElement>();
            if (root.TryGetProperty("output", out var outputItems) && outputItems.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in outputItems.EnumerateArray())
                {
                    CollectItem(item, index++, content, reasoning, toolCalls, captured);
                }
            }

            var outcome = status == "incomplete" ? ResponseOutcome.Incomplete : ResponseOutcome.Completed;
            var finishReason = outcome == ResponseOutcome.Incomplete
                ? (GetIncompleteReason(root) == "content_filter" ? "content_filter" : "length")
                : toolCalls.Count > 0 ? "tool_calls" : "stop";

            using var writer = new Utf8JsonWriter(output, s_writerOptions);
            writer.WriteStartObject();
            writer.WriteString("id"u8, "chatcmpl-" + (responseId ?? requestId));
            writer.WriteString("object"u8, "chat.completion"u8);
            writer.WriteNumber("created"u8, timeProvider.GetUtcNow().ToUnixTimeSeconds());
            writer.WriteString("model"u8, model);
            writer.WriteStartArray("choices"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, 0);
            writer.WriteStartObject("message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            if (content.Length == 0 && toolCalls.Count > 0)
            {
                writer.WriteNull("content"u8);
            }
            else
            {
                writer.WriteString("content"u8, content.ToString());
            }

            if (reasoning.Length > 0)
            {
                writer.WriteString("reasoning_content"u8, reasoning.ToString());
            }

            if (toolCalls.Count > 0)
            {
                WriteToolCalls(writer, toolCalls);
            }

            writer.WriteEndObject();
            writer.WriteString("finish_reason"u8, finishReason);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WritePropertyName("usage"u8);
            usage.WriteTo(writer);
            writer.WriteEndObject();
            writer.Flush();

            return new AssembledCompletion
            {
                IsWritten = true,
                Outcome = outcome,
                FinishReason = finishReason,
                UpstreamResponseId = responseId,
                Model = model,
                Usage = usage,
                HasUsage = hasUsage,
                EndedWithToolCalls = outcome == ResponseOutcome.Completed && toolCalls.Count > 0,
                CapturedItems = captured,
            };
        }
    }

    private static void CollectItem(
        JsonElement item, int index, StringBuilder content, StringBuilder reasoning, List<JsonElement> toolCalls, List<CapturedItem> captured)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var type = GetString(item, "type") ?? string.Empty;
        switch (type)
        {
            case "message":
                AppendParts(item, "content", content, "output_text", "refusal", separator: null);
                break;
            case "reasoning":
                var before = reasoning.Length;
                if (before > 0)
                {
                    reasoning.Append("\n\n");
                }

                var mark = reasoning.Length;
                AppendParts(item, "summary", reasoning, "summary_text", null, separator: "\n\n");
                if (reasoning.Length == mark)
                {
                    AppendParts(item, "content", reasoning, "reasoning_text", null, separator: "\n\n");
                }

                if (reasoning.Length == mark)
                {
                    reasoning.Length = before;
                }

                break;
            case "function_call":
                toolCalls.Add(item);
                break;
        }

        if (CapturedItem.IsPersistable(Encoding.UTF8.GetBytes(type)))
        {
            captured.Add(new CapturedItem(
                type, GetString(item, "id"), GetString(item, "call_id"), index, JsonMarshal.GetRawUtf8Value(item).ToArray()));
        }
    }

    private static void AppendParts(JsonElement item, string property, StringBuilder target, string partType, string? altPartType, string? separator)
    {
        if (!item.TryGetProperty(property, out var parts) || parts.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var first = true;
        foreach (var part in parts.EnumerateArray())
        {
            var type = part.ValueKind == JsonValueKind.Object ? GetString(part, "type") : null;
            var key = type == partType ? "text" : type is not null && type == altPartType ? altPartType : null;
            if (key is null || GetString(part, key) is not { } text)
            {
                continue;
            }

            if (!first && separator is not null)
            {
                target.Append(separator);
            }

            target.Append(text);
            first = false;
        }
    }

    private static void WriteToolCalls(Utf8JsonWriter writer, List<JsonElement> toolCalls)
    {
        writer.WriteStartArray("tool_calls"u8);
        for (var i = 0; i < toolCalls.Count; i++)
        {
            var call = toolCalls[i];
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, i);
            writer.WriteString("id"u8, GetString(call, "call_id") ?? GetString(call, "id"));
            writer.WriteString("type"u8, "function"u8);
            writer.WriteStartObject("function"u8);
            writer.WriteString("name"u8, GetString(call, "name"));
            writer.WriteString("arguments"u8, GetString(call, "arguments") ?? string.Empty);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static AssembledCompletion Failed(JsonElement root, string? responseId, string model, ChatUsage usage, bool hasUsage)
    {
        string? code = null;
        var codeIsNumber = false;
        string? message = null;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            if (error.TryGetProperty("code", out var codeElement))
            {
                codeIsNumber = codeElement.ValueKind == JsonValueKind.Number;
                code = codeIsNumber ? codeElement.GetRawText() : codeElement.ValueKind == JsonValueKind.String ? codeElement.GetString() : null;
            }

            message = GetString(error, "message");
        }

        return new AssembledCompletion
        {
            Outcome = ResponseOutcome.Failed,
            FinishReason = "error",
            UpstreamResponseId = responseId,
            Model = model,
            Usage = usage,
            HasUsage = hasUsage,
            ErrorCode = code,
            ErrorCodeIsNumber = codeIsNumber,
            ErrorMessage = message ?? "The upstream response failed.",
            ErrorType = GetString(root, "error_type"),
        };
    }

    private static AssembledCompletion Unreadable(string requestModel) => new()
    {
        Outcome = ResponseOutcome.Failed,
        FinishReason = "error",
        Model = requestModel,
        ErrorCode = "upstream_invalid_response",
        ErrorMessage = "The upstream answer was not a Responses JSON object.",
    };

    private static string? GetIncompleteReason(JsonElement root) =>
        root.TryGetProperty("incomplete_details", out var details) && details.ValueKind == JsonValueKind.Object ? GetString(details, "reason") : null;

    private static ChatUsage ReadUsage(JsonElement usage)
    {
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(usage));
        reader.Read();
        return ChatUsage.Read(ref reader);
    }

    private static string? GetString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
