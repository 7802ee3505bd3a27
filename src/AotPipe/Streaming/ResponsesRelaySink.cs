using System.Buffers;
using System.Text.Json;

namespace AotPipe.Streaming;

/// <summary>Relays Responses events byte for byte, watching only for the terminal event.</summary>
/// <remarks>DESIGN.md section 2: the <c>/v1/responses</c> stream is never changed except for in-band errors the
/// gateway itself detects, which take the upstream's own error-event shape with the next sequence number.</remarks>
public sealed class ResponsesRelaySink : StreamEventSink
{
    private long _lastSequenceNumber = -1;

    /// <inheritdoc />
    public override bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        foreach (var segment in sseEvent.Raw)
        {
            output.Write(segment.Span);
        }

        if (!sseEvent.HasData || SawTerminal)
        {
            return false;
        }

        var kind = ResponsesEventPeek.Read(sseEvent.Data.Span, out var sequenceNumber);
        if (sequenceNumber >= 0)
        {
            _lastSequenceNumber = sequenceNumber;
        }

        if (kind is ResponsesEventKind.Finished or ResponsesEventKind.Failed)
        {
            SawTerminal = true;
            return true;
        }

        return false;
    }

    /// <summary>Passes leftover bytes on unchanged, so the client receives every byte the upstream sent.</summary>
    public override void OnTrailingBytes(in ReadOnlySequence<byte> trailing, IBufferWriter<byte> output)
    {
        foreach (var segment in trailing)
        {
            output.Write(segment.Span);
        }
    }

    /// <inheritdoc />
    public override void WriteFailure(string code, string message, IBufferWriter<byte> output)
    {
        output.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "error"u8);
            writer.WriteString("code"u8, code);
            writer.WriteString("message"u8, message);
            writer.WriteNull("param"u8);
            writer.WriteNumber("sequence_number"u8, _lastSequenceNumber + 1);
            writer.WriteStartObject("error"u8);
            writer.WriteString("type"u8, "upstream_error"u8);
            writer.WriteString("code"u8, code);
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        output.Write("\n\ndata: [DONE]\n\n"u8);
        SawTerminal = true;
    }

    /// <summary>The relay adds nothing to a Responses stream, not even keep-alives.</summary>
    public override void WriteKeepAlive(IBufferWriter<byte> output)
    {
    }
}
