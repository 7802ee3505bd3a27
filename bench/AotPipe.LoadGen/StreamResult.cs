namespace AotPipe.LoadGen;

/// <summary>What one streaming request saw: timing of its events and whether every frame arrived intact.</summary>
internal sealed class StreamResult
{
    /// <summary>HTTP status of the response, 0 when none arrived.</summary>
    public int Status { get; set; }

    /// <summary>Stopwatch ticks from the start of the connect to the first complete <c>data:</c> event; -1 when none.</summary>
    public long FirstEventTicks { get; set; } = -1;

    /// <summary>Complete SSE frames (data events and comments) received.</summary>
    public int Frames { get; set; }

    /// <summary>Text deltas whose token index continued the sequence.</summary>
    public int Deltas { get; set; }

    /// <summary>Stopwatch ticks from the last text delta to the terminating <c>[DONE]</c>; -1 when either is missing.</summary>
    public long EndOfStreamTicks { get; set; } = -1;

    /// <summary>Marker lines (<c>[&lt;20-char id&gt;]: #</c>) seen in content after the last delta.</summary>
    public int Markers { get; set; }

    /// <summary>Frames that broke token or <c>sequence_number</c> continuity or did not parse as JSON.</summary>
    public int Corrupt { get; set; }

    /// <summary>Whether the terminating <c>data: [DONE]</c> arrived.</summary>
    public bool Done { get; set; }

    /// <summary>Body bytes received after the response headers.</summary>
    public long Bytes { get; set; }

    /// <summary>Why the stream failed, when it did.</summary>
    public string? Error { get; set; }
}
