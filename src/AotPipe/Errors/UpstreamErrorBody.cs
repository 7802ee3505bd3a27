using System.Text.Json;

namespace AotPipe.Errors;

/// <summary>The parts of an upstream error body that are passed on: the message and the code (number or string).</summary>
/// <remarks>Everything else (<c>user_id</c>, <c>metadata.raw</c>, provider internals) is dropped on purpose
/// (DESIGN.md section 2).</remarks>
public readonly record struct UpstreamErrorBody(string? Message, string? CodeText, long? CodeNumber)
{
    /// <summary>Reads <c>{"error":{"message":..,"code":..}}</c> leniently; unknown shapes give empty values.</summary>
    public static UpstreamErrorBody Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            string? message = null;
            string? codeText = null;
            long? codeNumber = null;
            var depth = 0;
            var inError = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        depth++;
                        break;
                    case JsonTokenType.EndObject:
                        depth--;
                        if (inError && depth == 1)
                        {
                            inError = false;
                        }

                        break;
                    case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("error"u8):
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            depth++;
                            inError = true;
                        }
                        else if (reader.TokenType == JsonTokenType.String)
                        {
                            message = reader.GetString();
                        }
                        else
                        {
                            reader.TrySkip();
                        }

                        break;
                    case JsonTokenType.PropertyName when inError && depth == 2:
                        var isMessage = reader.ValueTextEquals("message"u8);
                        var isCode = reader.ValueTextEquals("code"u8);
                        reader.Read();
                        if (isMessage && reader.TokenType == JsonTokenType.String)
                        {
                            message = reader.GetString();
                        }
                        else if (isCode && reader.TokenType == JsonTokenType.String)
                        {
                            codeText = reader.GetString();
                        }
                        else if (isCode && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                        {
                            codeNumber = number;
                        }
                        else
                        {
                            reader.TrySkip();
                        }

                        break;
                    case JsonTokenType.StartArray:
                        reader.TrySkip();
                        break;
                }
            }

            return new UpstreamErrorBody(message, codeText, codeNumber);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
