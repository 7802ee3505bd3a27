using System.Text.Json;

namespace AotPipe.Streaming;

/// <summary>Reads only the top-level <c>type</c> and <c>sequence_number</c> of a Responses event.</summary>
/// <remarks>OpenRouter writes <c>type</c> first, so most events are classified after one token. The walk stops as
/// soon as both fields are known; nested objects are skipped, never materialised.</remarks>
public static class ResponsesEventPeek
{
    /// <summary>Classifies <paramref name="data"/>; <paramref name="sequenceNumber"/> is -1 when absent.</summary>
    public static ResponsesEventKind Read(ReadOnlySpan<byte> data, out long sequenceNumber)
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
}
