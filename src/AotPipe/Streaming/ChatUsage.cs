using System.Text.Json;

namespace AotPipe.Streaming;

/// <summary>
/// Token and cost numbers of one response, read from Responses <c>usage</c> and written as chat-completions
/// <c>usage</c> (OpenRouter's <c>cost</c>, <c>is_byok</c> and <c>cost_details</c> kept, renamed to the chat names).
/// </summary>
internal struct ChatUsage
{
    /// <summary><c>input_tokens</c> → <c>prompt_tokens</c>.</summary>
    public long PromptTokens { get; set; }

    /// <summary><c>output_tokens</c> → <c>completion_tokens</c>.</summary>
    public long CompletionTokens { get; set; }

    /// <summary><c>total_tokens</c>.</summary>
    public long TotalTokens { get; set; }

    /// <summary><c>input_tokens_details.cached_tokens</c>.</summary>
    public long CachedTokens { get; set; }

    /// <summary><c>output_tokens_details.reasoning_tokens</c>.</summary>
    public long ReasoningTokens { get; set; }

    /// <summary>OpenRouter <c>cost</c> in USD, when sent.</summary>
    public double? Cost { get; set; }

    /// <summary>OpenRouter <c>is_byok</c>, when sent.</summary>
    public bool? IsByok { get; set; }

    /// <summary><c>cost_details.upstream_inference_cost</c>, when sent.</summary>
    public double? UpstreamInferenceCost { get; set; }

    /// <summary><c>cost_details.upstream_inference_input_cost</c> → <c>upstream_inference_prompt_cost</c>.</summary>
    public double? UpstreamInferencePromptCost { get; set; }

    /// <summary><c>cost_details.upstream_inference_output_cost</c> → <c>upstream_inference_completions_cost</c>.</summary>
    public double? UpstreamInferenceCompletionsCost { get; set; }

    /// <summary>True when <c>cost_details</c> was present.</summary>
    public bool HasCostDetails { get; set; }

    /// <summary>Reads a Responses usage object; the reader is on its <c>StartObject</c> and ends on its <c>EndObject</c>.</summary>
    public static ChatUsage Read(ref Utf8JsonReader reader)
    {
        var usage = default(ChatUsage);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8) || reader.ValueTextEquals("prompt_tokens"u8))
            {
                usage.PromptTokens = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8) || reader.ValueTextEquals("completion_tokens"u8))
            {
                usage.CompletionTokens = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                usage.TotalTokens = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("input_tokens_details"u8))
            {
                usage.CachedTokens = ReadNestedInt64(ref reader, "cached_tokens"u8);
            }
            else if (reader.ValueTextEquals("output_tokens_details"u8))
            {
                usage.ReasoningTokens = ReadNestedInt64(ref reader, "reasoning_tokens"u8);
            }
            else if (reader.ValueTextEquals("cost"u8))
            {
                usage.Cost = ReadDouble(ref reader);
            }
            else if (reader.ValueTextEquals("is_byok"u8))
            {
                reader.Read();
                usage.IsByok = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => null,
                };
            }
            else if (reader.ValueTextEquals("cost_details"u8))
            {
                ReadCostDetails(ref reader, ref usage);
            }
            else
            {
                reader.Skip();
            }
        }

        if (usage.TotalTokens == 0)
        {
            usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens;
        }

        return usage;
    }

    /// <summary>Writes the chat-completions usage object.</summary>
    public readonly void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("prompt_tokens"u8, PromptTokens);
        writer.WriteNumber("completion_tokens"u8, CompletionTokens);
        writer.WriteNumber("total_tokens"u8, TotalTokens);
        writer.WriteStartObject("prompt_tokens_details"u8);
        writer.WriteNumber("cached_tokens"u8, CachedTokens);
        writer.WriteEndObject();
        writer.WriteStartObject("completion_tokens_details"u8);
        writer.WriteNumber("reasoning_tokens"u8, ReasoningTokens);
        writer.WriteEndObject();
        if (Cost is { } cost)
        {
            writer.WriteNumber("cost"u8, cost);
        }

        if (IsByok is { } isByok)
        {
            writer.WriteBoolean("is_byok"u8, isByok);
        }

        if (HasCostDetails)
        {
            writer.WriteStartObject("cost_details"u8);
            WriteOptional(writer, "upstream_inference_cost"u8, UpstreamInferenceCost);
            WriteOptional(writer, "upstream_inference_prompt_cost"u8, UpstreamInferencePromptCost);
            WriteOptional(writer, "upstream_inference_completions_cost"u8, UpstreamInferenceCompletionsCost);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void ReadCostDetails(ref Utf8JsonReader reader, ref ChatUsage usage)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        usage.HasCostDetails = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("upstream_inference_cost"u8))
            {
                usage.UpstreamInferenceCost = ReadDouble(ref reader);
            }
            else if (reader.ValueTextEquals("upstream_inference_input_cost"u8) || reader.ValueTextEquals("upstream_inference_prompt_cost"u8))
            {
                usage.UpstreamInferencePromptCost = ReadDouble(ref reader);
            }
            else if (reader.ValueTextEquals("upstream_inference_output_cost"u8) || reader.ValueTextEquals("upstream_inference_completions_cost"u8))
            {
                usage.UpstreamInferenceCompletionsCost = ReadDouble(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static long ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : 0;
    }

    private static double? ReadDouble(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) ? value : null;
    }

    private static long ReadNestedInt64(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long result = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                result = ReadInt64(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return result;
    }
}
