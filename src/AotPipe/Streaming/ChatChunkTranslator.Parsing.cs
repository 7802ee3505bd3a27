using System.Text;
using System.Text.Json;

namespace AotPipe.Streaming;

internal sealed partial class ChatChunkTranslator
{
    /// <summary>The event types the translator acts on.</summary>
    private enum EventKind
    {
        Unknown,
        Created,
        InProgress,
        OutputTextDelta,
        OutputTextDone,
        RefusalDelta,
        ReasoningSummaryDelta,
        ReasoningTextDelta,
        OutputItemAdded,
        OutputItemDone,
        FunctionArgumentsDelta,
        Completed,
        Incomplete,
        Failed,
        Error,
    }

    /// <summary>
    /// Where a value sits in the event's bytes. String tokens point inside the quotes (raw, still escaped); an offset
    /// of 0 cannot be a value inside an object, so the default means absent.
    /// </summary>
    private readonly record struct Token(int Offset, int Length)
    {
        public bool IsPresent => Offset > 0;

        public ReadOnlySpan<byte> In(ReadOnlySpan<byte> json) => IsPresent ? json.Slice(Offset, Length) : default;
    }

    /// <summary>The fields of one event that the translator needs; everything else is skipped unread.</summary>
    private struct EventFields
    {
        public EventKind Kind;
        public int OutputIndex;
        public int PartIndex;
        public Token Delta;
        public Token Text;

        public Token Item;
        public Token ItemType;
        public Token ItemId;
        public Token ItemCallId;
        public Token ItemName;
        public Token ItemArguments;

        public Token ResponseId;
        public Token ResponseModel;
        public bool HasUsage;
        public ChatUsage Usage;
        public string? IncompleteReason;
        public string? ErrorCode;
        public bool ErrorCodeIsNumber;
        public string? ErrorMessage;
        public string? ErrorType;
    }

    private static EventKind Classify(ReadOnlySpan<byte> type)
    {
        // The delta types come first: they are nearly every event of a stream.
        if (type.SequenceEqual("response.output_text.delta"u8))
        {
            return EventKind.OutputTextDelta;
        }

        if (type.SequenceEqual("response.reasoning_summary_text.delta"u8))
        {
            return EventKind.ReasoningSummaryDelta;
        }

        if (type.SequenceEqual("response.reasoning_text.delta"u8))
        {
            return EventKind.ReasoningTextDelta;
        }

        if (type.SequenceEqual("response.function_call_arguments.delta"u8))
        {
            return EventKind.FunctionArgumentsDelta;
        }

        return ClassifyRare(type);
    }

    private static EventKind ClassifyRare(ReadOnlySpan<byte> type)
    {
        if (type.SequenceEqual("response.created"u8))
        {
            return EventKind.Created;
        }

        if (type.SequenceEqual("response.in_progress"u8))
        {
            return EventKind.InProgress;
        }

        if (type.SequenceEqual("response.output_item.added"u8))
        {
            return EventKind.OutputItemAdded;
        }

        if (type.SequenceEqual("response.output_item.done"u8))
        {
            return EventKind.OutputItemDone;
        }

        if (type.SequenceEqual("response.output_text.done"u8))
        {
            return EventKind.OutputTextDone;
        }

        if (type.SequenceEqual("response.refusal.delta"u8))
        {
            return EventKind.RefusalDelta;
        }

        if (type.SequenceEqual("response.completed"u8))
        {
            return EventKind.Completed;
        }

        if (type.SequenceEqual("response.incomplete"u8))
        {
            return EventKind.Incomplete;
        }

        if (type.SequenceEqual("response.failed"u8))
        {
            return EventKind.Failed;
        }

        return type.SequenceEqual("response.error"u8) || type.SequenceEqual("error"u8) ? EventKind.Error : EventKind.Unknown;
    }

    /// <summary>Reads the event's top level; returns false when the data is not a JSON object.</summary>
    private static bool TryParse(ReadOnlySpan<byte> json, ref EventFields fields)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var type = default(Token);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                switch (TopLevelProperty(ref reader))
                {
                    case Property.Type:
                        type = ReadString(ref reader);
                        break;
                    case Property.Delta:
                        fields.Delta = ReadString(ref reader);
                        break;
                    case Property.OutputIndex:
                        fields.OutputIndex = ReadInt32(ref reader);
                        break;
                    case Property.PartIndex:
                        fields.PartIndex = ReadInt32(ref reader);
                        break;
                    case Property.Text:
                        fields.Text = ReadString(ref reader);
                        break;
                    case Property.Item:
                        ReadItem(ref reader, ref fields);
                        break;
                    case Property.Response:
                        ReadResponse(ref reader, ref fields);
                        break;
                    case Property.Error:
                        ReadError(ref reader, ref fields);
                        break;
                    case Property.Code:
                        // The flat error event carries code and message at the top level.
                        reader.Read();
                        ReadErrorCode(ref reader, ref fields);
                        break;
                    case Property.Message:
                        reader.Read();
                        fields.ErrorMessage ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            fields.Kind = type.IsPresent ? Classify(type.In(json)) : EventKind.Unknown;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The top-level event properties the translator reads.</summary>
    private enum Property
    {
        Other,
        Type,
        Delta,
        OutputIndex,
        PartIndex,
        Text,
        Item,
        Response,
        Error,
        Code,
        Message,
    }

    private static Property TopLevelProperty(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return TopLevelPropertyEscaped(ref reader);
        }

        // Unescaped names are compared as raw bytes, dispatched on length: a delta event has seven properties and
        // this runs for each of them.
        var name = reader.ValueSpan;
        return name.Length switch
        {
            4 when name.SequenceEqual("type"u8) => Property.Type,
            4 when name.SequenceEqual("text"u8) => Property.Text,
            4 when name.SequenceEqual("item"u8) => Property.Item,
            4 when name.SequenceEqual("code"u8) => Property.Code,
            5 when name.SequenceEqual("delta"u8) => Property.Delta,
            5 when name.SequenceEqual("error"u8) => Property.Error,
            7 when name.SequenceEqual("message"u8) => Property.Message,
            8 when name.SequenceEqual("response"u8) => Property.Response,
            12 when name.SequenceEqual("output_index"u8) => Property.OutputIndex,
            13 when name.SequenceEqual("summary_index"u8) || name.SequenceEqual("content_index"u8) => Property.PartIndex,
            _ => Property.Other,
        };
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Property TopLevelPropertyEscaped(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("type"u8))
        {
            return Property.Type;
        }

        if (reader.ValueTextEquals("delta"u8))
        {
            return Property.Delta;
        }

        if (reader.ValueTextEquals("output_index"u8))
        {
            return Property.OutputIndex;
        }

        if (reader.ValueTextEquals("summary_index"u8) || reader.ValueTextEquals("content_index"u8))
        {
            return Property.PartIndex;
        }

        if (reader.ValueTextEquals("text"u8))
        {
            return Property.Text;
        }

        if (reader.ValueTextEquals("item"u8))
        {
            return Property.Item;
        }

        if (reader.ValueTextEquals("response"u8))
        {
            return Property.Response;
        }

        if (reader.ValueTextEquals("error"u8))
        {
            return Property.Error;
        }

        if (reader.ValueTextEquals("code"u8))
        {
            return Property.Code;
        }

        return reader.ValueTextEquals("message"u8) ? Property.Message : Property.Other;
    }

    private static Token ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return default;
        }

        // The span reader's values are slices of the input: the raw bytes start one past the opening quote.
        return new Token(checked((int)reader.TokenStartIndex + 1), reader.ValueSpan.Length);
    }

    private static int ReadInt32(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value : -1;
    }

    private static void ReadItem(ref Utf8JsonReader reader, ref EventFields fields)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        var start = checked((int)reader.TokenStartIndex);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                fields.ItemType = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                fields.ItemId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("call_id"u8))
            {
                fields.ItemCallId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                fields.ItemName = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                fields.ItemArguments = ReadString(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        fields.Item = new Token(start, checked((int)reader.BytesConsumed) - start);
    }

    private static void ReadResponse(ref Utf8JsonReader reader, ref EventFields fields)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                fields.ResponseId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                fields.ResponseModel = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    fields.Usage = ChatUsage.Read(ref reader);
                    fields.HasUsage = true;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                ReadError(ref reader, ref fields);
            }
            else if (reader.ValueTextEquals("error_type"u8))
            {
                reader.Read();
                fields.ErrorType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("incomplete_details"u8))
            {
                ReadIncompleteDetails(ref reader, ref fields);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadIncompleteDetails(ref Utf8JsonReader reader, ref EventFields fields)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("reason"u8))
            {
                reader.Read();
                fields.IncompleteReason = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadError(ref Utf8JsonReader reader, ref EventFields fields)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                ReadErrorCode(ref reader, ref fields);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                fields.ErrorMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : fields.ErrorMessage;
            }
            else if (reader.ValueTextEquals("type"u8) || reader.ValueTextEquals("error_type"u8))
            {
                reader.Read();
                fields.ErrorType ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadErrorCode(ref Utf8JsonReader reader, ref EventFields fields)
    {
        // Error codes arrive as numbers (HTTP-like) or strings; both are passed on verbatim.
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                fields.ErrorCode = reader.GetString();
                fields.ErrorCodeIsNumber = false;
                break;
            case JsonTokenType.Number:
                fields.ErrorCode = Encoding.UTF8.GetString(reader.ValueSpan);
                fields.ErrorCodeIsNumber = true;
                break;
            default:
                reader.Skip();
                break;
        }
    }

    /// <summary>Decodes a raw (still escaped) JSON string value.</summary>
    private static string DecodeString(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(raw);
        }

        var quoted = new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString() ?? string.Empty;
    }
}
