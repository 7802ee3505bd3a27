using System.Text.Json;

namespace AotPipe.Streaming;

/// <summary>Reads only the top-level <c>type</c> and <c>sequence_number</c> of a Responses event.</summary>
/// <remarks>
/// OpenRouter writes <c>type</c> first and <c>sequence_number</c> last (<c>{"type":"…",…,"sequence_number":N}</c>).
/// That shape is recognised by a byte scan of both ends, without tokenising the middle (a JSON walk over a delta event
/// was a fifth of the gateway's instructions per relayed event, perf-reports/relay.md). Anything else, including an
/// escaped type name, takes the <see cref="Utf8JsonReader"/> walk, which stops as soon as both fields are known and
/// skips nested objects without materialising them.
/// </remarks>
public static class ResponsesEventPeek
{
    /// <summary>Longest <c>sequence_number</c> the byte scan reads (18 digits always fit in a <see cref="long"/>).</summary>
    public const int MaxFastSequenceDigits = 18;

    private static ReadOnlySpan<byte> TypePrefix => "{\"type\":\""u8;

    private static ReadOnlySpan<byte> SequenceName => "\"sequence_number\":"u8;

    /// <summary>Classifies <paramref name="data"/>; <paramref name="sequenceNumber"/> is -1 when absent.</summary>
    public static ResponsesEventKind Read(ReadOnlySpan<byte> data, out long sequenceNumber)
    {
        if (TryReadFast(data, out var fastKind, out sequenceNumber))
        {
            return fastKind;
        }

        return ReadSlow(data, out sequenceNumber);
    }

    /// <summary>The byte scan for the shape OpenRouter writes; false when the event has any other shape.</summary>
    /// <remarks>Sound for valid JSON: a data line that ends in <c>,"sequence_number":digits}</c> has that member at the
    /// top level, because the final <c>}</c> closes the outermost object and the member before it is a bare number.
    /// The preceding <c>,</c> rules out a quote that is part of an escaped string.</remarks>
    internal static bool TryReadFast(ReadOnlySpan<byte> data, out ResponsesEventKind kind, out long sequenceNumber)
    {
        kind = ResponsesEventKind.Other;
        sequenceNumber = -1;
        if (!data.StartsWith(TypePrefix))
        {
            return false;
        }

        var rest = data[TypePrefix.Length..];
        var typeEnd = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (typeEnd < 0 || rest[typeEnd] != (byte)'"')
        {
            return false;
        }

        // The tail: "...,"sequence_number":123}"; the number has no sign, fraction or exponent in this shape.
        var end = data.Length - 1;
        if (end < 0 || data[end] != (byte)'}')
        {
            return false;
        }

        var digitsStart = end;
        while (digitsStart > 0 && char.IsAsciiDigit((char)data[digitsStart - 1]))
        {
            digitsStart--;
        }

        var digits = end - digitsStart;
        if (digits == 0 || digits > MaxFastSequenceDigits || (digits > 1 && data[digitsStart] == (byte)'0'))
        {
            return false;
        }

        var nameStart = digitsStart - SequenceName.Length;
        if (nameStart <= TypePrefix.Length + typeEnd || data[nameStart - 1] != (byte)',' || !data[nameStart..digitsStart].SequenceEqual(SequenceName))
        {
            return false;
        }

        long number = 0;
        foreach (var digit in data[digitsStart..end])
        {
            number = (number * 10) + (digit - (byte)'0');
        }

        kind = Classify(rest[..typeEnd]);
        sequenceNumber = number;
        return true;
    }

    /// <summary>The general walk with <see cref="Utf8JsonReader"/> (any member order, any whitespace).</summary>
    internal static ResponsesEventKind ReadSlow(ReadOnlySpan<byte> data, out long sequenceNumber)
    {
        sequenceNumber = -1;
        var kind = ResponsesEventKind.NotJson;
        var haveType = false;
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { AllowTrailingCommas = false });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return ResponsesEventKind.NotJson;
            }

            kind = ResponsesEventKind.Other;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    kind = Classify(ref reader);
                    haveType = true;
                }
                else if (reader.ValueTextEquals("sequence_number"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                    {
                        sequenceNumber = number;
                    }
                }
                else
                {
                    reader.Read();
                    if (!reader.TrySkip())
                    {
                        break;
                    }

                    continue;
                }

                if (haveType && sequenceNumber >= 0)
                {
                    break;
                }
            }
        }
        catch (JsonException)
        {
            // A malformed event is relayed as it is; it cannot be a terminal event.
            return haveType ? kind : ResponsesEventKind.NotJson;
        }

        return kind;
    }

    private static ResponsesEventKind Classify(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return ResponsesEventKind.Other;
        }

        if (reader.ValueTextEquals("response.completed"u8) || reader.ValueTextEquals("response.incomplete"u8))
        {
            return ResponsesEventKind.Finished;
        }

        if (reader.ValueTextEquals("response.failed"u8) || reader.ValueTextEquals("response.error"u8) || reader.ValueTextEquals("error"u8))
        {
            return ResponsesEventKind.Failed;
        }

        return ResponsesEventKind.Other;
    }

    /// <summary>Classifies an unescaped type name (the byte scan's counterpart of the reader overload).</summary>
    private static ResponsesEventKind Classify(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("response.completed"u8) || type.SequenceEqual("response.incomplete"u8) ? ResponsesEventKind.Finished
        : type.SequenceEqual("response.failed"u8) || type.SequenceEqual("response.error"u8) || type.SequenceEqual("error"u8) ? ResponsesEventKind.Failed
        : ResponsesEventKind.Other;
}
