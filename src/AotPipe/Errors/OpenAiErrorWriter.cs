using System.Buffers;
using System.Text.Json;

namespace AotPipe.Errors;

/// <summary>Writes the OpenAI error shape <c>{"error":{"message","type","param","code"}}</c>.</summary>
public static class OpenAiErrorWriter
{
    /// <summary>Writes an error whose code is text (or absent).</summary>
    public static void Write(IBufferWriter<byte> output, string message, string type, string? code, string? param = null)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, message);
        writer.WriteString("type"u8, type);
        if (param is null)
        {
            writer.WriteNull("param"u8);
        }
        else
        {
            writer.WriteString("param"u8, param);
        }

        if (code is null)
        {
            writer.WriteNull("code"u8);
        }
        else
        {
            writer.WriteString("code"u8, code);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes an upstream error, keeping its code verbatim as a number or a string.</summary>
    public static void WriteUpstream(IBufferWriter<byte> output, in UpstreamErrorBody upstream, int status)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, "OpenRouter: " + (upstream.Message ?? $"upstream answered HTTP {status}"));
        writer.WriteString("type"u8, "upstream_error");
        writer.WriteNull("param"u8);
        if (upstream.CodeNumber is { } number)
        {
            writer.WriteNumber("code"u8, number);
        }
        else if (upstream.CodeText is { } text)
        {
            writer.WriteString("code"u8, text);
        }
        else
        {
            writer.WriteNumber("code"u8, status);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
