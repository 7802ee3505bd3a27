using System.Buffers;

namespace AotPipe.Streaming;

/// <summary>What the relay loop does with each complete upstream event: forward it, or translate it.</summary>
public abstract class StreamEventSink
{
    /// <summary>Whether a terminal event (completed, incomplete, failed, error) has been seen.</summary>
    public bool SawTerminal { get; protected set; }

    /// <summary>Whether the loop stops reading the upstream once the terminal step is done.</summary>
    public virtual bool StopsAtTerminal => false;

    /// <summary>Number of events handed to the sink.</summary>
    public long EventCount { get; internal set; }

    /// <summary>Handles one event synchronously (the hot path); returns true when it was the terminal event.</summary>
    public abstract bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output);

    /// <summary>Receives bytes left after the last complete event when the upstream ends (e.g. the LF of a final CRLF
    /// that arrived in its own read, or a cut-off event).</summary>
    public virtual void OnTrailingBytes(in ReadOnlySequence<byte> trailing, IBufferWriter<byte> output)
    {
    }

    /// <summary>Runs once after the terminal event (persistence, marker lines, final chunks); may await.</summary>
    public virtual ValueTask OnTerminalAsync(IBufferWriter<byte> output, CancellationToken cancellationToken) => default;

    /// <summary>Writes a gateway-detected failure in-band, followed by <c>data: [DONE]</c>.</summary>
    public abstract void WriteFailure(string code, string message, IBufferWriter<byte> output);

    /// <summary>Writes an SSE comment that keeps intermediaries from cutting a silent stream.</summary>
    public virtual void WriteKeepAlive(IBufferWriter<byte> output) => output.Write(": keep-alive\n\n"u8);
}
