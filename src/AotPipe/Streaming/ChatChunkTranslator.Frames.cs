using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AotPipe.Streaming;

internal sealed partial class ChatChunkTranslator
{
    // Frame layout: prefix ("data: {id,object,created,model,"choices":[") + body + tail ("}]}\n\n" or "}\n\n").
    private static ReadOnlySpan<byte> ContentHead => "{\"index\":0,\"delta\":{\"content\":\""u8;

    private static ReadOnlySpan<byte> ReasoningHead => "{\"index\":0,\"delta\":{\"reasoning_content\":\""u8;

    private static ReadOnlySpan<byte> ReasoningHeadWithBreak => "{\"index\":0,\"delta\":{\"reasoning_content\":\"\\n\\n"u8;

    private static ReadOnlySpan<byte> DeltaTail => "\"},\"finish_reason\":null}]}\n\n"u8;

    private static ReadOnlySpan<byte> RoleBody => "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":null}]}\n\n"u8;

    private static ReadOnlySpan<byte> ToolHead => "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":"u8;

    private static ReadOnlySpan<byte> ToolIdHead => ",\"id\":\""u8;

    private static ReadOnlySpan<byte> ToolNameHead => "\",\"type\":\"function\",\"function\":{\"name\":\""u8;

    private static ReadOnlySpan<byte> ToolOpenTail => "\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"u8;

    private static ReadOnlySpan<byte> ToolArgumentsHead => ",\"function\":{\"arguments\":\""u8;

    private static ReadOnlySpan<byte> ToolArgumentsTail => "\"}}]},\"finish_reason\":null}]}\n\n"u8;

    private static ReadOnlySpan<byte> FinishHead => "{\"index\":0,\"delta\":{},\"finish_reason\":\""u8;

    private static ReadOnlySpan<byte> FinishTail => "\"}]}\n\n"u8;

    private static ReadOnlySpan<byte> UsageHead => "],\"usage\":"u8;

    private static ReadOnlySpan<byte> ErrorHead => "],\"error\":"u8;

    private static ReadOnlySpan<byte> ObjectTail => "}\n\n"u8;

    private static ReadOnlySpan<byte> DoneFrame => "data: [DONE]\n\n"u8;

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        // Relaxed escaping keeps non-ASCII text readable; control characters and quotes are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        BuildPrefix();
        _started = true;
        WriteFrame(output, RoleBody, default, default);
    }

    private void BuildPrefix()
    {
        var id = _responseIdLength > 0
            ? _responseId.AsSpan(0, _responseIdLength)
            : JsonEncodedText.Encode(_requestId, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
        var model = _modelLength > 0
            ? _model.AsSpan(0, _modelLength)
            : JsonEncodedText.Encode(_requestModel, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;

        Span<byte> created = stackalloc byte[20];
        _timeProvider.GetUtcNow().ToUnixTimeSeconds().TryFormat(created, out var createdLength);

        ReadOnlySpan<byte> head = "data: {\"id\":\"chatcmpl-"u8;
        ReadOnlySpan<byte> objectPart = "\",\"object\":\"chat.completion.chunk\",\"created\":"u8;
        ReadOnlySpan<byte> modelPart = ",\"model\":\""u8;
        ReadOnlySpan<byte> choicesPart = "\",\"choices\":["u8;
        var length = head.Length + id.Length + objectPart.Length + createdLength + modelPart.Length + model.Length + choicesPart.Length;
        if (_prefix.Length < length)
        {
            _prefix = new byte[length];
        }

        var position = 0;
        position = Put(_prefix, position, head);
        position = Put(_prefix, position, id);
        position = Put(_prefix, position, objectPart);
        position = Put(_prefix, position, created[..createdLength]);
        position = Put(_prefix, position, modelPart);
        position = Put(_prefix, position, model);
        _prefixLength = Put(_prefix, position, choicesPart);
    }

    private void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> head, ReadOnlySpan<byte> value, ReadOnlySpan<byte> tail)
    {
        var length = _prefixLength + head.Length + value.Length + tail.Length;
        var span = output.GetSpan(length);
        var position = Put(span, 0, _prefix.AsSpan(0, _prefixLength));
        position = Put(span, position, head);
        position = Put(span, position, value);
        Put(span, position, tail);
        output.Advance(length);
    }

    private void WriteToolOpening(IBufferWriter<byte> output, int index, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> name)
    {
        Span<byte> digits = stackalloc byte[11];
        index.TryFormat(digits, out var digitCount);
        var length = _prefixLength + ToolHead.Length + digitCount + ToolIdHead.Length + callId.Length
            + ToolNameHead.Length + name.Length + ToolOpenTail.Length;
        var span = output.GetSpan(length);
        var position = Put(span, 0, _prefix.AsSpan(0, _prefixLength));
        position = Put(span, position, ToolHead);
        position = Put(span, position, digits[..digitCount]);
        position = Put(span, position, ToolIdHead);
        position = Put(span, position, callId);
        position = Put(span, position, ToolNameHead);
        position = Put(span, position, name);
        Put(span, position, ToolOpenTail);
        output.Advance(length);
    }

    private void WriteToolArguments(IBufferWriter<byte> output, int index, ReadOnlySpan<byte> arguments)
    {
        Span<byte> digits = stackalloc byte[11];
        index.TryFormat(digits, out var digitCount);
        var length = _prefixLength + ToolHead.Length + digitCount + ToolArgumentsHead.Length + arguments.Length + ToolArgumentsTail.Length;
        var span = output.GetSpan(length);
        var position = Put(span, 0, _prefix.AsSpan(0, _prefixLength));
        position = Put(span, position, ToolHead);
        position = Put(span, position, digits[..digitCount]);
        position = Put(span, position, ToolArgumentsHead);
        position = Put(span, position, arguments);
        Put(span, position, ToolArgumentsTail);
        output.Advance(length);
    }

    private void WriteFinish(IBufferWriter<byte> output, string reason)
    {
        ReadOnlySpan<byte> reasonBytes = reason switch
        {
            "stop" => "stop"u8,
            "length" => "length"u8,
            "tool_calls" => "tool_calls"u8,
            "content_filter" => "content_filter"u8,
            _ => "error"u8,
        };
        WriteFrame(output, FinishHead, reasonBytes, FinishTail);
    }

    private void WriteUsageFrame(IBufferWriter<byte> output)
    {
        WriteFrame(output, UsageHead, default, default);
        var writer = RentWriter(output);
        _usage.WriteTo(writer);
        writer.Flush();
        WriteRaw(output, ObjectTail);
    }

    private void WriteErrorFrame(IBufferWriter<byte> output)
    {
        WriteFrame(output, ErrorHead, default, default);
        var writer = RentWriter(output);
        writer.WriteStartObject();
        writer.WriteString("message"u8, ErrorMessage);
        writer.WriteString("type"u8, "upstream_error"u8);
        if (ErrorCode is null)
        {
            writer.WriteNull("code"u8);
        }
        else if (ErrorCodeIsNumber)
        {
            writer.WritePropertyName("code"u8);
            writer.WriteRawValue(ErrorCode, skipInputValidation: false);
        }
        else
        {
            writer.WriteString("code"u8, ErrorCode);
        }

        if (ErrorType is not null)
        {
            writer.WriteString("error_type"u8, ErrorType);
        }

        writer.WriteEndObject();
        writer.Flush();
        WriteRaw(output, ObjectTail);
    }

    private Utf8JsonWriter RentWriter(IBufferWriter<byte> output)
    {
        if (_jsonWriter is null)
        {
            _jsonWriter = new Utf8JsonWriter(output, s_writerOptions);
        }
        else
        {
            _jsonWriter.Reset(output);
        }

        return _jsonWriter;
    }

    private static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static int Put(Span<byte> destination, int position, ReadOnlySpan<byte> source)
    {
        source.CopyTo(destination[position..]);
        return position + source.Length;
    }
}
