namespace AotPipe.Streaming;

/// <summary>What <see cref="SseFramer.TryRead"/> found at the start of the buffer.</summary>
public enum SseReadStatus
{
    /// <summary>A complete event (ended by a blank line) is available.</summary>
    Event,

    /// <summary>The bytes so far are an incomplete event; read more.</summary>
    NeedMoreData,

    /// <summary>The pending event grew past the framer's size cap without ending.</summary>
    EventTooLarge,
}
