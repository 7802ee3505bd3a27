using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.Artifacts;

namespace AotPipe.Upstream;

/// <summary>
/// Translates an OpenAI chat-completions request body into an OpenRouter Responses request body. Works on
/// <see cref="JsonNode"/> only (no reflection, no DTOs); unknown client fields are ignored.
/// </summary>
internal static partial class ChatRequestTranslator
{
    /// <summary>The <c>include</c> entry that asks for replayable reasoning.</summary>
    public const string EncryptedReasoningInclude = "reasoning.encrypted_content";

    // OpenRouter routing fields that Responses accepts unchanged.
    private static readonly string[] s_passthroughFields = ["provider", "models", "plugins", "transforms"];

    // Sampling numbers that Responses accepts unchanged.
    private static readonly string[] s_numberFields = ["temperature", "top_p", "top_k", "seed", "frequency_penalty", "presence_penalty"];

    /// <summary>Parses UTF-8 JSON and translates it; malformed JSON is a validation error on <c>body</c>.</summary>
    public static TranslationResult Translate(
        ReadOnlySpan<byte> utf8Body, CallerIdentity identity, IdentifierOptions options, IArtifactReplaySource? replay)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8Body);
        }
        catch (JsonException)
        {
            return TranslationResult.Invalid("body", "The request body is not valid JSON.");
        }

        return node is JsonObject body
            ? Translate(body, identity, options, replay)
            : TranslationResult.Invalid("body", "The request body must be a JSON object.");
    }

    /// <summary>
    /// Translates a parsed chat-completions body. <paramref name="body"/> is not modified. Stored items come from
    /// <paramref name="replay"/> (nothing is replayed when it is null).
    /// </summary>
    /// <remarks>
    /// Step map: 1 model, stream facts; 2 messages to <c>input</c> (with replay); 3 tools and tool choice;
    /// 4 reasoning; 5 limits, sampling, format, routing; 6 fixed defaults and identifiers.
    /// </remarks>
    public static TranslationResult Translate(
        JsonObject body, CallerIdentity identity, IdentifierOptions options, IArtifactReplaySource? replay)
    {
        var request = new JsonObject();

        // :: Step 1
        if (!TryGetString(body, "model", out var model) || model.Length == 0)
        {
            return TranslationResult.Invalid("model", "'model' is required and must be a non-empty string.");
        }

        request["model"] = model;
        if (!TryGetOptionalBool(body, "stream", out var stream))
        {
            return TranslationResult.Invalid("stream", "'stream' must be a boolean.");
        }

        var includeUsage = false;
        if (body["stream_options"] is { } streamOptions)
        {
            if (streamOptions is not JsonObject streamOptionsObject)
            {
                return TranslationResult.Invalid("stream_options", "'stream_options' must be an object.");
            }

            if (!TryGetOptionalBool(streamOptionsObject, "include_usage", out includeUsage))
            {
                return TranslationResult.Invalid("stream_options.include_usage", "'include_usage' must be a boolean.");
            }
        }

        // :: Step 2
        var markerIds = new List<string>();
        var messages = new MessageTranslation(replay, markerIds);
        var messageError = messages.Translate(body["messages"]);
        if (messageError is not null)
        {
            return TranslationResult.Invalid(messageError.Param, messageError.Message);
        }

        request["input"] = messages.Input;

        // :: Step 3
        var toolError = TranslateTools(body, request);
        if (toolError is not null)
        {
            return TranslationResult.Invalid(toolError.Param, toolError.Message);
        }

        // :: Step 4
        var reasoningError = TranslateReasoning(body, request, out var reasoningRequested);
        if (reasoningError is not null)
        {
            return TranslationResult.Invalid(reasoningError.Param, reasoningError.Message);
        }

        // :: Step 5
        var settingsError = TranslateSettings(body, request);
        if (settingsError is not null)
        {
            return TranslationResult.Invalid(settingsError.Param, settingsError.Message);
        }

        // :: Step 6
        request["stream"] = stream;
        request["store"] = false;
        UpstreamIdentifiers.Apply(request, identity, options);

        return TranslationResult.Success(request, stream, includeUsage, model, reasoningRequested, markerIds, messages.ReplayedCount);
    }

    /// <summary>
    /// Lists the marker ids and tool call ids a body's assistant messages carry, so the caller can load the stored items
    /// asynchronously before calling <see cref="Translate(JsonObject, CallerIdentity, IdentifierOptions, IArtifactReplaySource?)"/>.
    /// </summary>
    public static ReplayKeys CollectReplayKeys(JsonObject body)
    {
        var markerIds = new List<string>();
        var callIds = new List<string>();
        if (body["messages"] is not JsonArray messages)
        {
            return new ReplayKeys(markerIds, callIds);
        }

        foreach (var message in messages)
        {
            if (message is not JsonObject messageObject || !TryGetString(messageObject, "role", out var role) || role != "assistant")
            {
                continue;
            }

            var text = ReadAssistantText(messageObject["content"]);
            if (text is not null)
            {
                MarkerLines.FindMarkerIds(text, markerIds);
            }

            if (messageObject["tool_calls"] is JsonArray toolCalls)
            {
                foreach (var call in toolCalls)
                {
                    if (call is JsonObject callObject && TryGetString(callObject, "id", out var callId))
                    {
                        callIds.Add(callId);
                    }
                }
            }
        }

        return new ReplayKeys(markerIds, callIds);
    }

    private static RequestValidationError? TranslateTools(JsonObject body, JsonObject request)
    {
        var tools = new JsonArray();
        if (body["tools"] is { } toolsNode)
        {
            if (toolsNode is not JsonArray toolsArray)
            {
                return new RequestValidationError("tools", "'tools' must be an array.");
            }

            for (var i = 0; i < toolsArray.Count; i++)
            {
                var param = $"tools[{i}]";
                if (toolsArray[i] is not JsonObject tool || !TryGetString(tool, "type", out var type))
                {
                    return new RequestValidationError(param, "Each tool must be an object with a string 'type'.");
                }

                if (type != "function")
                {
                    // OpenRouter server tools (web search and the like) share the Responses shape already.
                    tools.Add(tool.DeepClone());
                    continue;
                }

                if (tool["function"] is not JsonObject function)
                {
                    return new RequestValidationError(param + ".function", "A function tool needs a 'function' object.");
                }

                var error = AddFlatFunctionTool(function, tools, param + ".function");
                if (error is not null)
                {
                    return error;
                }
            }
        }
        else if (body["functions"] is { } functionsNode)
        {
            if (functionsNode is not JsonArray functions)
            {
                return new RequestValidationError("functions", "'functions' must be an array.");
            }

            for (var i = 0; i < functions.Count; i++)
            {
                if (functions[i] is not JsonObject function)
                {
                    return new RequestValidationError($"functions[{i}]", "Each function must be an object.");
                }

                var error = AddFlatFunctionTool(function, tools, $"functions[{i}]");
                if (error is not null)
                {
                    return error;
                }
            }
        }

        if (tools.Count > 0)
        {
            request["tools"] = tools;
        }

        var choiceName = body.ContainsKey("tool_choice") ? "tool_choice" : "function_call";
        if (body[choiceName] is { } choice)
        {
            var translated = TranslateToolChoice(choice);
            if (translated is null)
            {
                return new RequestValidationError(choiceName, $"'{choiceName}' must be 'auto', 'none', 'required' or a function choice.");
            }

            request["tool_choice"] = translated;
        }

        if (body["parallel_tool_calls"] is { } parallel)
        {
            if (parallel.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return new RequestValidationError("parallel_tool_calls", "'parallel_tool_calls' must be a boolean.");
            }

            request["parallel_tool_calls"] = parallel.DeepClone();
        }

        return null;
    }

    private static RequestValidationError? AddFlatFunctionTool(JsonObject function, JsonArray tools, string param)
    {
        if (!TryGetString(function, "name", out var name) || name.Length == 0)
        {
            return new RequestValidationError(param + ".name", "A function needs a non-empty string 'name'.");
        }

        var flat = new JsonObject { ["type"] = "function", ["name"] = name };
        foreach (var key in (ReadOnlySpan<string>)["description", "parameters", "strict"])
        {
            if (function[key] is { } value)
            {
                flat[key] = value.DeepClone();
            }
        }

        tools.Add((JsonNode)flat);
        return null;
    }

    private static JsonNode? TranslateToolChoice(JsonNode choice)
    {
        if (choice is JsonValue value && value.TryGetValue(out string? mode))
        {
            return mode is "auto" or "none" or "required" ? mode : null;
        }

        if (choice is not JsonObject choiceObject)
        {
            return null;
        }

        // Chat form {type:function,function:{name}}, legacy {name}, or an already flat {type:function,name}.
        var nameHolder = choiceObject["function"] as JsonObject ?? choiceObject;
        return TryGetString(nameHolder, "name", out var name) && name.Length > 0
            ? new JsonObject { ["type"] = "function", ["name"] = name }
            : null;
    }

    private static RequestValidationError? TranslateReasoning(JsonObject body, JsonObject request, out bool requested)
    {
        requested = false;
        JsonObject? reasoning = null;
        if (body["reasoning"] is { } reasoningNode)
        {
            if (reasoningNode is not JsonObject reasoningObject)
            {
                return new RequestValidationError("reasoning", "'reasoning' must be an object.");
            }

            reasoning = (JsonObject)reasoningObject.DeepClone();
        }

        if (body["reasoning_effort"] is { } effortNode)
        {
            if (effortNode is not JsonValue effortValue || !effortValue.TryGetValue(out string? effort))
            {
                return new RequestValidationError("reasoning_effort", "'reasoning_effort' must be a string.");
            }

            reasoning ??= [];
            if (!reasoning.ContainsKey("effort"))
            {
                reasoning["effort"] = effort;
            }
        }

        if (reasoning is null)
        {
            return null;
        }

        // An explicit opt-out ("none" or enabled:false) is forwarded but asks for no summary or encrypted items.
        var optedOut = (TryGetString(reasoning, "effort", out var level) && level == "none")
            || reasoning["enabled"]?.GetValueKind() == JsonValueKind.False;
        requested = !optedOut;
        if (requested)
        {
            if (!reasoning.ContainsKey("summary"))
            {
                reasoning["summary"] = "auto";
            }

            request["include"] = new JsonArray(EncryptedReasoningInclude);
        }

        request["reasoning"] = reasoning;
        return null;
    }

    private static RequestValidationError? TranslateSettings(JsonObject body, JsonObject request)
    {
        foreach (var key in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (body[key] is not { } limit)
            {
                continue;
            }

            if (limit is not JsonValue limitValue || !limitValue.TryGetValue(out long tokens) || tokens <= 0)
            {
                return new RequestValidationError(key, $"'{key}' must be a positive integer.");
            }

            request["max_output_tokens"] = tokens;
            break;
        }

        foreach (var key in s_numberFields)
        {
            if (body[key] is not { } number)
            {
                continue;
            }

            if (number.GetValueKind() != JsonValueKind.Number)
            {
                return new RequestValidationError(key, $"'{key}' must be a number.");
            }

            request[key] = number.DeepClone();
        }

        if (body["stop"] is { } stop)
        {
            var valid = stop.GetValueKind() == JsonValueKind.String
                || (stop is JsonArray stops && stops.All(s => s?.GetValueKind() == JsonValueKind.String));
            if (!valid)
            {
                return new RequestValidationError("stop", "'stop' must be a string or an array of strings.");
            }

            request["stop"] = stop.DeepClone();
        }

        if (body["response_format"] is { } format)
        {
            var error = TranslateResponseFormat(format, request);
            if (error is not null)
            {
                return error;
            }
        }

        foreach (var key in s_passthroughFields)
        {
            if (body[key] is { } value && value.GetValueKind() != JsonValueKind.Null)
            {
                var expected = key == "provider" ? JsonValueKind.Object : JsonValueKind.Array;
                if (value.GetValueKind() != expected)
                {
                    return new RequestValidationError(key, $"'{key}' must be {(expected == JsonValueKind.Object ? "an object" : "an array")}.");
                }

                request[key] = value.DeepClone();
            }
        }

        return null;
    }

    private static RequestValidationError? TranslateResponseFormat(JsonNode format, JsonObject request)
    {
        if (format is not JsonObject formatObject || !TryGetString(formatObject, "type", out var type))
        {
            return new RequestValidationError("response_format", "'response_format' must be an object with a string 'type'.");
        }

        JsonObject textFormat;
        switch (type)
        {
            case "text" or "json_object":
                textFormat = new JsonObject { ["type"] = type };
                break;
            case "json_schema":
                if (formatObject["json_schema"] is not JsonObject schema)
                {
                    return new RequestValidationError("response_format.json_schema", "'json_schema' must be an object.");
                }

                if (!TryGetString(schema, "name", out var name) || name.Length == 0)
                {
                    return new RequestValidationError("response_format.json_schema.name", "'json_schema.name' must be a non-empty string.");
                }

                textFormat = new JsonObject { ["type"] = "json_schema", ["name"] = name };
                foreach (var key in (ReadOnlySpan<string>)["schema", "strict", "description"])
                {
                    if (schema[key] is { } value)
                    {
                        textFormat[key] = value.DeepClone();
                    }
                }

                break;
            default:
                return new RequestValidationError("response_format.type", "'response_format.type' must be 'text', 'json_object' or 'json_schema'.");
        }

        request["text"] = new JsonObject { ["format"] = textFormat };
        return null;
    }

    private static bool TryGetString(JsonObject owner, string key, out string value)
    {
        if (owner[key] is JsonValue node && node.TryGetValue(out string? text))
        {
            value = text;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static bool TryGetOptionalBool(JsonObject owner, string key, out bool value)
    {
        value = false;
        var node = owner[key];
        switch (node?.GetValueKind())
        {
            case null or JsonValueKind.Null:
                return true;
            case JsonValueKind.True:
                value = true;
                return true;
            case JsonValueKind.False:
                return true;
            default:
                return false;
        }
    }

    /// <summary>The text of an assistant <c>content</c> (a string or text/refusal parts joined), or null.</summary>
    private static string? ReadAssistantText(JsonNode? content)
    {
        if (content is JsonValue value && value.TryGetValue(out string? text))
        {
            return text;
        }

        if (content is not JsonArray parts)
        {
            return null;
        }

        var joined = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (part is JsonObject partObject
                && (TryGetString(partObject, "text", out var partText) || TryGetString(partObject, "refusal", out partText)))
            {
                joined.Append(partText);
            }
        }

        return joined.ToString();
    }
}
