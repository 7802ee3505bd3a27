using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.Artifacts;

namespace AotPipe.Upstream;

internal static partial class ChatRequestTranslator
{
    /// <summary>Builds the Responses <c>input</c> array from chat <c>messages</c>, replaying stored items in place.</summary>
    private sealed class MessageTranslation(IArtifactReplaySource? replay, List<string> markerIds)
    {
        // A reasoning item stored under every call of a parallel turn is replayed once.
        private readonly HashSet<string> _replayedIds = new(StringComparer.Ordinal);

        public JsonArray Input { get; } = [];

        public int ReplayedCount { get; private set; }

        public RequestValidationError? Translate(JsonNode? messagesNode)
        {
            if (messagesNode is not JsonArray messages || messages.Count == 0)
            {
                return new RequestValidationError("messages", "'messages' must be a non-empty array.");
            }

            for (var i = 0; i < messages.Count; i++)
            {
                var param = $"messages[{i}]";
                if (messages[i] is not JsonObject message)
                {
                    return new RequestValidationError(param, "Each message must be an object.");
                }

                if (!TryGetString(message, "role", out var role))
                {
                    return new RequestValidationError(param + ".role", "Each message needs a string 'role'.");
                }

                var error = role switch
                {
                    "system" or "developer" => AddInstruction(message, param),
                    "user" => AddUser(message, param),
                    "assistant" => AddAssistant(message, param),
                    "tool" => AddToolResult(message, param),
                    _ => new RequestValidationError(param + ".role", "'role' must be system, developer, user, assistant or tool."),
                };
                if (error is not null)
                {
                    return error;
                }
            }

            return null;
        }

        private RequestValidationError? AddInstruction(JsonObject message, string param)
        {
            var content = new JsonArray();
            var error = AddContentParts(message["content"], content, param + ".content", textOnly: true);
            if (error is not null)
            {
                return error;
            }

            // Responses takes instructions as a system message with input_text parts.
            Input.Add((JsonNode)new JsonObject { ["type"] = "message", ["role"] = "system", ["content"] = content });
            return null;
        }

        private RequestValidationError? AddUser(JsonObject message, string param)
        {
            var content = new JsonArray();
            var error = AddContentParts(message["content"], content, param + ".content", textOnly: false);
            if (error is not null)
            {
                return error;
            }

            Input.Add((JsonNode)new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = content });
            return null;
        }

        private RequestValidationError? AddAssistant(JsonObject message, string param)
        {
            var contentNode = message["content"];
            if (contentNode is not null && contentNode.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Array or JsonValueKind.Null))
            {
                return new RequestValidationError(param + ".content", "Assistant 'content' must be a string, an array of parts or null.");
            }

            var text = ReadAssistantText(contentNode) ?? string.Empty;
            var firstMarker = markerIds.Count;
            var found = MarkerLines.FindMarkerIds(text, markerIds);

            // Stored items came before the visible text of the turn that produced them.
            if (found > 0 && replay is not null)
            {
                AddReplayed(replay.ResolveMarkers(markerIds.GetRange(firstMarker, found)));
            }

            text = MarkerLines.Strip(text);
            if (!string.IsNullOrWhiteSpace(text))
            {
                Input.Add((JsonNode)new JsonObject { ["type"] = "message", ["role"] = "assistant", ["content"] = text });
            }

            if (message["tool_calls"] is not { } toolCallsNode || toolCallsNode.GetValueKind() == JsonValueKind.Null)
            {
                return null;
            }

            if (toolCallsNode is not JsonArray toolCalls)
            {
                return new RequestValidationError(param + ".tool_calls", "'tool_calls' must be an array.");
            }

            for (var j = 0; j < toolCalls.Count; j++)
            {
                var error = AddToolCall(toolCalls[j], $"{param}.tool_calls[{j}]");
                if (error is not null)
                {
                    return error;
                }
            }

            return null;
        }

        private RequestValidationError? AddToolCall(JsonNode? callNode, string param)
        {
            if (callNode is not JsonObject call || !TryGetString(call, "id", out var callId) || callId.Length == 0)
            {
                return new RequestValidationError(param + ".id", "Each tool call needs a non-empty string 'id'.");
            }

            if (call["function"] is not JsonObject function || !TryGetString(function, "name", out var name) || name.Length == 0)
            {
                return new RequestValidationError(param + ".function.name", "Each tool call needs a function with a non-empty 'name'.");
            }

            string arguments;
            var argumentsNode = function["arguments"];
            switch (argumentsNode?.GetValueKind())
            {
                case null or JsonValueKind.Null:
                    arguments = "{}";
                    break;
                case JsonValueKind.String:
                    arguments = argumentsNode.GetValue<string>();
                    break;
                case JsonValueKind.Object:
                    // Some clients send parsed arguments; Responses wants the JSON text.
                    arguments = argumentsNode.ToJsonString();
                    break;
                default:
                    return new RequestValidationError(param + ".function.arguments", "'arguments' must be a JSON string.");
            }

            if (replay is not null)
            {
                AddReplayed(replay.ResolveCallReasoning(callId));
            }

            Input.Add((JsonNode)new JsonObject
            {
                ["type"] = "function_call",
                ["call_id"] = callId,
                ["name"] = name,
                ["arguments"] = arguments,
            });
            return null;
        }

        private RequestValidationError? AddToolResult(JsonObject message, string param)
        {
            if (!TryGetString(message, "tool_call_id", out var callId) || callId.Length == 0)
            {
                return new RequestValidationError(param + ".tool_call_id", "A tool message needs a non-empty string 'tool_call_id'.");
            }

            var contentNode = message["content"];
            string output;
            switch (contentNode?.GetValueKind())
            {
                case JsonValueKind.String:
                    output = contentNode.GetValue<string>();
                    break;
                case JsonValueKind.Array:
                    output = ReadAssistantText(contentNode) ?? string.Empty;
                    break;
                case null or JsonValueKind.Null:
                    output = string.Empty;
                    break;
                default:
                    return new RequestValidationError(param + ".content", "Tool 'content' must be a string or an array of text parts.");
            }

            // Tool output is data the tool produced, not text the gateway wrote, so it is not stripped.
            Input.Add((JsonNode)new JsonObject { ["type"] = "function_call_output", ["call_id"] = callId, ["output"] = output });
            return null;
        }

        private void AddReplayed(IReadOnlyList<JsonNode> items)
        {
            foreach (var item in items)
            {
                if (item is JsonObject itemObject && TryGetString(itemObject, "id", out var id) && !_replayedIds.Add(id))
                {
                    continue;
                }

                // The source may cache its nodes; a node can have one parent only.
                Input.Add(item.DeepClone());
                ReplayedCount++;
            }
        }

        private static RequestValidationError? AddContentParts(JsonNode? contentNode, JsonArray content, string param, bool textOnly)
        {
            if (contentNode is JsonValue value && value.TryGetValue(out string? text))
            {
                content.Add(InputText(text));
                return null;
            }

            if (contentNode is not JsonArray parts)
            {
                return new RequestValidationError(param, "'content' must be a string or an array of parts.");
            }

            for (var j = 0; j < parts.Count; j++)
            {
                var partParam = $"{param}[{j}]";
                if (parts[j] is not JsonObject part || !TryGetString(part, "type", out var type))
                {
                    return new RequestValidationError(partParam + ".type", "Each content part needs a string 'type'.");
                }

                if (type == "text")
                {
                    if (!TryGetString(part, "text", out var partText))
                    {
                        return new RequestValidationError(partParam + ".text", "A text part needs a string 'text'.");
                    }

                    content.Add(InputText(partText));
                    continue;
                }

                if (textOnly)
                {
                    return new RequestValidationError(partParam + ".type", "Only text parts are allowed in this message.");
                }

                var error = type switch
                {
                    "image_url" => AddImage(part, content, partParam),
                    "file" => AddFile(part, content, partParam),
                    "input_audio" => AddAudio(part, content, partParam),
                    _ => new RequestValidationError(partParam + ".type", "'type' must be text, image_url, file or input_audio."),
                };
                if (error is not null)
                {
                    return error;
                }
            }

            return null;
        }

        private static JsonNode InputText(string text) =>
            new JsonObject { ["type"] = "input_text", ["text"] = MarkerLines.Strip(text) };

        private static RequestValidationError? AddImage(JsonObject part, JsonArray content, string param)
        {
            string url;
            var detail = "auto";
            switch (part["image_url"])
            {
                case JsonObject image:
                    if (!TryGetString(image, "url", out url) || !IsSupportedUrl(url))
                    {
                        return new RequestValidationError(param + ".image_url.url", "An image part needs a data: or http(s): 'url'.");
                    }

                    if (image["detail"] is { } detailNode)
                    {
                        if (detailNode is not JsonValue detailValue || !detailValue.TryGetValue(out string? detailText))
                        {
                            return new RequestValidationError(param + ".image_url.detail", "'detail' must be a string.");
                        }

                        detail = detailText;
                    }

                    break;
                case JsonValue bare when bare.TryGetValue(out string? bareUrl) && IsSupportedUrl(bareUrl):
                    url = bareUrl;
                    break;
                default:
                    return new RequestValidationError(param + ".image_url.url", "An image part needs a data: or http(s): 'url'.");
            }

            content.Add((JsonNode)new JsonObject { ["type"] = "input_image", ["image_url"] = url, ["detail"] = detail });
            return null;
        }

        private static RequestValidationError? AddFile(JsonObject part, JsonArray content, string param)
        {
            if (part["file"] is not JsonObject file)
            {
                return new RequestValidationError(param + ".file", "A file part needs a 'file' object.");
            }

            var input = new JsonObject { ["type"] = "input_file" };
            if (TryGetString(file, "filename", out var filename))
            {
                input["filename"] = filename;
            }

            if (TryGetString(file, "file_data", out var data) && data.Length > 0)
            {
                // A URL in file_data is a reference, not inline bytes.
                input[IsHttpUrl(data) ? "file_url" : "file_data"] = data;
            }
            else if (TryGetString(file, "file_url", out var fileUrl) && IsHttpUrl(fileUrl))
            {
                input["file_url"] = fileUrl;
            }
            else if (TryGetString(file, "file_id", out var fileId) && fileId.Length > 0)
            {
                input["file_id"] = fileId;
            }
            else
            {
                return new RequestValidationError(param + ".file", "A file part needs 'file_data', 'file_url' or 'file_id'.");
            }

            content.Add((JsonNode)input);
            return null;
        }

        private static RequestValidationError? AddAudio(JsonObject part, JsonArray content, string param)
        {
            if (part["input_audio"] is not JsonObject audio
                || !TryGetString(audio, "data", out var data) || data.Length == 0
                || !TryGetString(audio, "format", out var format) || format.Length == 0)
            {
                return new RequestValidationError(param + ".input_audio", "An audio part needs string 'data' and 'format'.");
            }

            content.Add((JsonNode)new JsonObject
            {
                ["type"] = "input_audio",
                ["input_audio"] = new JsonObject { ["data"] = data, ["format"] = format },
            });
            return null;
        }

        private static bool IsSupportedUrl(string url) =>
            url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || IsHttpUrl(url);

        private static bool IsHttpUrl(string url) =>
            url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
    }
}
