using System.Buffers;

namespace AotPipe.Streaming;

/// <summary>One complete SSE event as it arrived, plus its parsed <c>data</c> field.</summary>
/// <remarks>Both views point into the reader's buffer or the framer's scratch buffer: they are valid only until the
/// next call to the framer or to <c>AdvanceTo</c>.</remarks>
public readonly struct SseEvent
{
    internal SseEvent(ReadOnlySequence<byte> raw, ReadOnlyMemory<byte> data, bool hasData)
    {
        Raw = raw;
        Data = data;
        HasData = hasData;
    }

    /// <summary>The event's bytes exactly as received, including comments and the terminating blank line.</summary>
    public ReadOnlySequence<byte> Raw { get; }

    /// <summary>The <c>data</c> field: data lines joined by LF, without the <c>data:</c> prefix.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Whether the event had at least one <c>data</c> line (comment-only keep-alives have none).</summary>
    public bool HasData { get; }

    /// <summary>Whether the data is the OpenAI-style end sentinel <c>[DONE]</c>.</summary>
    public bool IsDone => HasData && Data.Span.SequenceEqual("[DONE]"u8);
}
