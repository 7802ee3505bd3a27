using System.Buffers;

namespace AotPipe.Streaming;

/// <summary>Translates Responses events into <c>chat.completion.chunk</c> frames for chat-completions clients.</summary>
/// <remarks>Upstream comments become <c>: keep-alive</c> comments (every frame stays one line); attachment notices go out
/// as the first content line once the role chunk is out; on the terminal event the <see cref="TerminalStep"/> runs
/// before the final chunks, so marker lines follow only durably stored artifacts.</remarks>
internal sealed class ChatStreamSink : StreamEventSink
{
    private readonly ChatChunkTranslator _translator;
    private string? _pendingNotice;

    /// <summary>Creates the sink.</summary>
    /// <param name="translator">Per-response translator.</param>
    /// <param name="notice">Text to show at the start of the answer (attachment notices), or null.</param>
    /// <param name="terminalStep">Runs after the terminal event and before the final chunks; returns the text (marker
    /// lines) to append to the answer, or null.</param>
    public ChatStreamSink(ChatChunkTranslator translator, string? notice, Func<ChatChunkTranslator, CancellationToken, ValueTask<string?>>? terminalStep)
    {
        _translator = translator;
        _pendingNotice = notice;
        TerminalStep = terminalStep;
    }

    /// <summary>The step run at the terminal event (persistence, then marker lines).</summary>
    public Func<ChatChunkTranslator, CancellationToken, ValueTask<string?>>? TerminalStep { get; }

    /// <summary>The translator (for access logs and captured items).</summary>
    public ChatChunkTranslator Translator => _translator;

    /// <inheritdoc />
    public override bool StopsAtTerminal => true;

    /// <inheritdoc />
    public override bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        if (!sseEvent.HasData)
        {
            output.Write(": keep-alive\n\n"u8);
            return false;
        }

        var status = _translator.OnEvent(sseEvent.Data.Span, output);
        if (_pendingNotice is not null && _translator.HasStarted)
        {
            _translator.WriteContentDelta(_pendingNotice, output);
            _pendingNotice = null;
        }

        if (status == TranslateStatus.Terminal)
        {
            SawTerminal = true;
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public override async ValueTask OnTerminalAsync(IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (TerminalStep is not null && await TerminalStep(_translator, cancellationToken) is { Length: > 0 } appended)
        {
            _translator.WriteContentDelta(appended, output);
        }

        _translator.WriteCompletion(output);
    }

    /// <inheritdoc />
    public override void WriteFailure(string code, string message, IBufferWriter<byte> output)
    {
        _translator.WriteInterrupted(code, message, output);
        SawTerminal = true;
    }
}
