using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AotPipe.Streaming;

/// <summary>
/// Translates one OpenRouter Responses event stream into OpenAI <c>chat.completion.chunk</c> SSE frames. One instance
/// serves one response at a time and can be pooled (<see cref="Reset"/>). Delta strings are copied as raw, still-escaped
/// JSON bytes from the upstream event into the output, so a delta costs no allocation and no decoding.
/// </summary>
/// <remarks>
/// Frame contract (design section 2): every chunk is one <c>data:</c> line; the first chunk carries the role; one
/// <c>id</c> (<c>chatcmpl-</c> + the upstream <c>gen-</c> id) and one <c>created</c> per response; a tool call's name is
/// sent once; failures end with a <c>finish_reason:"error"</c> chunk, an error chunk without choices, then
/// <c>[DONE]</c>. Terminal events write nothing until <see cref="WriteCompletion"/>, so a marker can go first.
/// </remarks>
internal sealed partial class ChatChunkTranslator
{
    private readonly TimeProvider _timeProvider;

    // Reused across responses: they only grow.
    private byte[] _prefix = new byte[256];
    private byte[] _responseId = new byte[64];
    private byte[] _model = new byte[64];
    private byte[] _scratch = [];
    private ToolSlot[] _tools = new ToolSlot[4];
    private Utf8JsonWriter? _jsonWriter;
    private List<CapturedItem> _captured = [];

    private int _prefixLength;
    private int _responseIdLength;
    private int _modelLength;
    private int _toolCount;
    private string _requestModel = string.Empty;
    private string _requestId = string.Empty;
    private bool _includeUsage;
    private bool _started;
    private bool _terminal;
    private bool _completionWritten;
    private bool _reasoningEmitted;
    private int _lastReasoningKind;
    private int _lastReasoningOutput;
    private int _lastReasoningPart;
    private int _lastContentOutput;
    private int _lastContentPart;
    private ChatUsage _usage;
    private bool _hasUsage;
    private string? _finishReason;

    /// <summary>Creates a translator for one response.</summary>
    /// <param name="timeProvider">Source of the chunks' <c>created</c> time.</param>
    /// <param name="requestModel">The model the client asked for; used when the upstream names none.</param>
    /// <param name="includeUsage">The client asked for <c>stream_options.include_usage</c>.</param>
    /// <param name="requestId">The gateway request id; the chunk id falls back to it before <c>response.created</c>.</param>
    public ChatChunkTranslator(TimeProvider timeProvider, string requestModel, bool includeUsage, string requestId)
    {
        _timeProvider = timeProvider;
        Reset(requestModel, includeUsage, requestId);
    }

    /// <summary>How the response ended so far.</summary>
    public ResponseOutcome Outcome { get; private set; }

    /// <summary>True once a terminal event was seen or an interruption was written.</summary>
    public bool IsTerminal => _terminal;

    /// <summary>True once any frame was written to the client.</summary>
    public bool HasStarted => _started;

    /// <summary>The completed response ended in tool calls (its reasoning is stored under the call ids, no marker is sent).</summary>
    public bool EndedWithToolCalls => Outcome == ResponseOutcome.Completed && _toolCount > 0;

    /// <summary>How many tool calls were sent to the client.</summary>
    public int ToolCallCount => _toolCount;

    /// <summary>The chat finish reason written (or to be written), once terminal.</summary>
    public string? FinishReason => _finishReason;

    /// <summary>The upstream response id (<c>gen-...</c>), once <c>response.created</c> was seen.</summary>
    public string? UpstreamResponseId => _responseIdLength > 0 ? DecodeString(_responseId.AsSpan(0, _responseIdLength)) : null;

    /// <summary>The upstream response model, else the requested model.</summary>
    public string Model => _modelLength > 0 ? DecodeString(_model.AsSpan(0, _modelLength)) : _requestModel;

    /// <summary>True when the terminal event carried usage.</summary>
    public bool HasUsage => _hasUsage;

    /// <summary>The mapped usage (zero until the terminal event).</summary>
    public ChatUsage Usage => _usage;

    /// <summary>Prompt tokens, for access logs.</summary>
    public long PromptTokens => _usage.PromptTokens;

    /// <summary>Completion tokens, for access logs.</summary>
    public long CompletionTokens => _usage.CompletionTokens;

    /// <summary>OpenRouter cost in USD, for access logs.</summary>
    public double? Cost => _usage.Cost;

    /// <summary>The upstream or gateway error code (string or number text), on failure.</summary>
    public string? ErrorCode { get; private set; }

    /// <summary>True when <see cref="ErrorCode"/> is a JSON number.</summary>
    public bool ErrorCodeIsNumber { get; private set; }

    /// <summary>The error message, on failure.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>OpenRouter's <c>error_type</c>, on failure, when sent.</summary>
    public string? ErrorType { get; private set; }

    /// <summary>
    /// Replayable output items in arrival order (reasoning, function calls, other client-side items), byte for byte.
    /// A new list is started by <see cref="Reset"/>, so a caller may keep this one.
    /// </summary>
    public IReadOnlyList<CapturedItem> CapturedItems => _captured;

    /// <summary>Called with each item as it is captured (on the relay's thread), so work on it can start before the
    /// response ends; kept across <see cref="Reset"/>.</summary>
    public Action<CapturedItem>? ItemCaptured { get; set; }

    /// <summary>Prepares the instance for another response, keeping its buffers.</summary>
    public void Reset(string requestModel, bool includeUsage, string requestId)
    {
        _requestModel = requestModel;
        _includeUsage = includeUsage;
        _requestId = requestId;
        _prefixLength = 0;
        _responseIdLength = 0;
        _modelLength = 0;
        _toolCount = 0;
        _started = false;
        _terminal = false;
        _completionWritten = false;
        _reasoningEmitted = false;
        _lastReasoningKind = -1;
        _lastReasoningOutput = -1;
        _lastReasoningPart = -1;
        _lastContentOutput = -1;
        _lastContentPart = -1;
        _usage = default;
        _hasUsage = false;
        _finishReason = null;
        Outcome = ResponseOutcome.InProgress;
        ErrorCode = null;
        ErrorCodeIsNumber = false;
        ErrorMessage = null;
        ErrorType = null;
        if (_captured.Count > 0)
        {
            _captured = [];
        }
    }

    /// <summary>Translates one upstream SSE event's data payload, writing zero or more complete frames.</summary>
    public TranslateStatus OnEvent(ReadOnlySequence<byte> data, IBufferWriter<byte> output)
    {
        if (data.IsSingleSegment)
        {
            return OnEvent(data.FirstSpan, output);
        }

        var length = checked((int)data.Length);
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }

        data.CopyTo(_scratch);
        return OnEvent(_scratch.AsSpan(0, length), output);
    }

    /// <summary>Translates one upstream SSE event's data payload held in one span.</summary>
    public TranslateStatus OnEvent(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (data.Trim((byte)' ').SequenceEqual("[DONE]"u8))
        {
            return TranslateStatus.UpstreamDone;
        }

        if (_terminal)
        {
            return TranslateStatus.Ignored;
        }

        var fields = new EventFields { OutputIndex = -1, PartIndex = -1 };
        if (!TryParse(data, ref fields))
        {
            return TranslateStatus.Malformed;
        }

        switch (fields.Kind)
        {
            case EventKind.OutputTextDelta or EventKind.RefusalDelta:
                return WriteContent(data, ref fields, output);
            case EventKind.ReasoningSummaryDelta:
                return WriteReasoning(data, ref fields, kind: 0, output);
            case EventKind.ReasoningTextDelta:
                return WriteReasoning(data, ref fields, kind: 1, output);
            case EventKind.FunctionArgumentsDelta:
                return WriteArguments(data, ref fields, output);
            case EventKind.Created or EventKind.InProgress:
                return OnCreated(data, ref fields, output);
            case EventKind.OutputItemAdded:
                return OnItemAdded(data, ref fields, output);
            case EventKind.OutputItemDone:
                return OnItemDone(data, ref fields, output);
            case EventKind.OutputTextDone:
                return OnTextDone(data, ref fields, output);
            case EventKind.Completed or EventKind.Incomplete or EventKind.Failed or EventKind.Error:
                OnTerminal(data, ref fields);
                return TranslateStatus.Terminal;
            default:
                return TranslateStatus.Ignored;
        }
    }

    /// <summary>
    /// Writes one content delta of gateway text (a marker or notice line); JSON-escapes <paramref name="text"/>.
    /// </summary>
    public void WriteContentDelta(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        EnsureStarted(output);
        var maxUtf8 = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        var utf8 = ArrayPool<byte>.Shared.Rent(maxUtf8);

        // Escaping grows a byte to at most six (\u00XX).
        var escaped = ArrayPool<byte>.Shared.Rent(maxUtf8 * 6);
        try
        {
            var utf8Length = System.Text.Encoding.UTF8.GetBytes(text, utf8);
            JavaScriptEncoder.UnsafeRelaxedJsonEscaping.EncodeUtf8(utf8.AsSpan(0, utf8Length), escaped, out _, out var written);
            WriteFrame(output, ContentHead, escaped.AsSpan(0, written), DeltaTail);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
            ArrayPool<byte>.Shared.Return(escaped);
        }
    }

    /// <summary>
    /// Writes the end of the stream after a <see cref="TranslateStatus.Terminal"/> event: on success the finish chunk,
    /// the usage chunk when asked for, and <c>[DONE]</c>; on failure the <c>error</c> finish chunk, the error chunk and
    /// <c>[DONE]</c>. Without a terminal event it writes an interruption instead, so a cut stream never looks complete.
    /// </summary>
    public void WriteCompletion(IBufferWriter<byte> output)
    {
        if (_completionWritten)
        {
            return;
        }

        if (!_terminal)
        {
            WriteInterrupted("upstream_incomplete", "The upstream stream ended before the response finished.", output);
            return;
        }

        EnsureStarted(output);
        if (Outcome is ResponseOutcome.Completed or ResponseOutcome.Incomplete)
        {
            WriteFinish(output, _finishReason ?? "stop");
            if (_includeUsage && _hasUsage)
            {
                WriteUsageFrame(output);
            }
        }
        else
        {
            WriteFinish(output, "error");
            WriteErrorFrame(output);
        }

        WriteRaw(output, DoneFrame);
        _completionWritten = true;
    }

    /// <summary>
    /// Ends the stream with a failure the gateway detected (reset, idle timeout, no terminal event): an <c>error</c>
    /// finish chunk, an error chunk with <paramref name="code"/> and <paramref name="message"/>, then <c>[DONE]</c>.
    /// </summary>
    public void WriteInterrupted(string code, string message, IBufferWriter<byte> output)
    {
        if (_completionWritten)
        {
            return;
        }

        Outcome = ResponseOutcome.Interrupted;
        _terminal = true;
        _finishReason = "error";
        ErrorCode = code;
        ErrorCodeIsNumber = false;
        ErrorMessage = message;
        ErrorType = null;
        EnsureStarted(output);
        WriteFinish(output, "error");
        WriteErrorFrame(output);
        WriteRaw(output, DoneFrame);
        _completionWritten = true;
    }

    private TranslateStatus OnCreated(ReadOnlySpan<byte> data, ref EventFields fields, IBufferWriter<byte> output)
    {
        if (_started)
        {
            return TranslateStatus.Ignored;
        }

        CopyToken(data, fields.ResponseId, ref _responseId, ref _responseIdLength);
        CopyToken(data, fields.ResponseModel, ref _model, ref _modelLength);
        EnsureStarted(output);
        return TranslateStatus.Continue;
    }

    private TranslateStatus WriteContent(ReadOnlySpan<byte> data, ref EventFields fields, IBufferWriter<byte> output)
    {
        if (!fields.Delta.IsPresent)
        {
            return TranslateStatus.Ignored;
        }

        EnsureStarted(output);
        _lastContentOutput = fields.OutputIndex;
        _lastContentPart = fields.PartIndex;
        WriteFrame(output, ContentHead, fields.Delta.In(data), DeltaTail);
        return TranslateStatus.Continue;
    }

    private TranslateStatus OnTextDone(ReadOnlySpan<byte> data, ref EventFields fields, IBufferWriter<byte> output)
    {
        // Some providers send a part's whole text only in its done event; streamed parts are not repeated.
        if (!fields.Text.IsPresent || fields.Text.Length == 0
            || (fields.OutputIndex == _lastContentOutput && fields.PartIndex == _lastContentPart))
        {
            return TranslateStatus.Ignored;
        }

        fields.Delta = fields.Text;
        return WriteContent(data, ref fields, output);
    }

    private TranslateStatus WriteReasoning(ReadOnlySpan<byte> data, ref EventFields fields, int kind, IBufferWriter<byte> output)
    {
        if (!fields.Delta.IsPresent)
        {
            return TranslateStatus.Ignored;
        }

        EnsureStarted(output);

        // A new summary part or reasoning item starts after a blank line, as the summary parts read when joined.
        var newPart = kind != _lastReasoningKind || fields.OutputIndex != _lastReasoningOutput || fields.PartIndex != _lastReasoningPart;
        var head = _reasoningEmitted && newPart ? ReasoningHeadWithBreak : ReasoningHead;
        _reasoningEmitted = true;
        _lastReasoningKind = kind;
        _lastReasoningOutput = fields.OutputIndex;
        _lastReasoningPart = fields.PartIndex;
        WriteFrame(output, head, fields.Delta.In(data), DeltaTail);
        return TranslateStatus.Continue;
    }

    private TranslateStatus WriteArguments(ReadOnlySpan<byte> data, ref EventFields fields, IBufferWriter<byte> output)
    {
        var slot = FindTool(fields.OutputIndex);
        if (slot < 0 || !_tools[slot].Opened || !fields.Delta.IsPresent)
        {
            // Without an opening fragment the client cannot place the arguments; the item's done event sends them whole.
            return TranslateStatus.Ignored;
        }

        _tools[slot].ArgumentsSent = true;
        WriteToolArguments(output, slot, fields.Delta.In(data));
        return TranslateStatus.Continue;
    }

    private TranslateStatus OnItemAdded(ReadOnlySpan<byte> data, ref EventFields fields, IBufferWriter<byte> output)
    {
        if (!fields.ItemType.In(data).SequenceEqual("function_call"u8))
        {
            return TranslateStatus.Ignored;
        }

        var slot = FindTool(fields.OutputIndex);
        if (slot < 0)
        {
            slot = AddTool(fields.OutputIndex);
        }

        if (!_tools[slot].Opened && fields.ItemName.IsPresent && fields.ItemName.Length > 0)
        {
            EnsureStarted(output);
            WriteToolOpening(output, slot, CallIdOrItemId(data, ref fields), fields.ItemName.In(data));
            _tools[slot].Opened = true;
        }

        return TranslateStatus.Continue;
    }

    private TranslateStatus OnItemDone(ReadOnlySpan<byte> data, ref EventFields fields, IBufferWriter<byte> output)
    {
        var type = fields.ItemType.In(data);
        if (type.SequenceEqual("function_call"u8))
        {
            CompleteToolCall(data, ref fields, output);
        }

        if (!fields.Item.IsPresent || !CapturedItem.IsPersistable(type))
        {
            return TranslateStatus.Continue;
        }

        // One allocation per stored item: the artifact store keeps these bytes beyond this event.
        var captured = new CapturedItem(
            DecodeString(type),
            fields.ItemId.IsPresent ? DecodeString(fields.ItemId.In(data)) : null,
            fields.ItemCallId.IsPresent ? DecodeString(fields.ItemCallId.In(data)) : null,
            fields.OutputIndex,
            fields.Item.In(data).ToArray());
        _captured.Add(captured);
        ItemCaptured?.Invoke(captured);
        return TranslateStatus.Continue;
    }

    private void CompleteToolCall(ReadOnlySpan<byte> data, ref EventFields fields, IBufferWriter<byte> output)
    {
        var slot = FindTool(fields.OutputIndex);
        if (slot < 0)
        {
            slot = AddTool(fields.OutputIndex);
        }

        ref var tool = ref _tools[slot];
        if (!tool.Opened)
        {
            EnsureStarted(output);
            WriteToolOpening(output, slot, CallIdOrItemId(data, ref fields), fields.ItemName.In(data));
            tool.Opened = true;
        }

        if (!tool.ArgumentsSent && fields.ItemArguments.IsPresent && fields.ItemArguments.Length > 0)
        {
            WriteToolArguments(output, slot, fields.ItemArguments.In(data));
            tool.ArgumentsSent = true;
        }
    }

    private void OnTerminal(ReadOnlySpan<byte> data, ref EventFields fields)
    {
        _terminal = true;
        if (_responseIdLength == 0)
        {
            CopyToken(data, fields.ResponseId, ref _responseId, ref _responseIdLength);
        }

        if (_modelLength == 0)
        {
            CopyToken(data, fields.ResponseModel, ref _model, ref _modelLength);
        }

        if (fields.HasUsage)
        {
            _usage = fields.Usage;
            _hasUsage = true;
        }

        switch (fields.Kind)
        {
            case EventKind.Completed:
                Outcome = ResponseOutcome.Completed;
                _finishReason = _toolCount > 0 ? "tool_calls" : "stop";
                break;
            case EventKind.Incomplete:
                Outcome = ResponseOutcome.Incomplete;
                _finishReason = fields.IncompleteReason == "content_filter" ? "content_filter" : "length";
                break;
            default:
                Outcome = ResponseOutcome.Failed;
                _finishReason = "error";
                ErrorCode = fields.ErrorCode;
                ErrorCodeIsNumber = fields.ErrorCodeIsNumber;
                ErrorMessage = fields.ErrorMessage ?? "The upstream response failed.";
                ErrorType = fields.ErrorType;
                break;
        }
    }

    private static ReadOnlySpan<byte> CallIdOrItemId(ReadOnlySpan<byte> data, ref EventFields fields) =>
        fields.ItemCallId.IsPresent ? fields.ItemCallId.In(data) : fields.ItemId.In(data);

    private int FindTool(int outputIndex)
    {
        for (var i = 0; i < _toolCount; i++)
        {
            if (_tools[i].OutputIndex == outputIndex)
            {
                return i;
            }
        }

        return -1;
    }

    private int AddTool(int outputIndex)
    {
        if (_toolCount == _tools.Length)
        {
            Array.Resize(ref _tools, _tools.Length * 2);
        }

        _tools[_toolCount] = new ToolSlot { OutputIndex = outputIndex };
        return _toolCount++;
    }

    private static void CopyToken(ReadOnlySpan<byte> data, Token token, ref byte[] buffer, ref int length)
    {
        if (!token.IsPresent || token.Length == 0)
        {
            return;
        }

        if (buffer.Length < token.Length)
        {
            buffer = new byte[token.Length];
        }

        token.In(data).CopyTo(buffer);
        length = token.Length;
    }

    /// <summary>Chat-side state of one tool call; its position in the slot array is the chat tool-call index.</summary>
    private struct ToolSlot
    {
        public int OutputIndex;
        public bool Opened;
        public bool ArgumentsSent;
    }
}
