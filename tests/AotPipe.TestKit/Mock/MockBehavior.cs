namespace AotPipe.TestKit.Mock;

/// <summary>What the mock does with the next requests; tests change it between requests.</summary>
public sealed class MockBehavior
{
    /// <summary>Answer with this status and the matching error fixture instead of a stream (e.g. 429, 502).</summary>
    public int? FailWithStatus { get; set; }

    /// <summary>Delay between events.</summary>
    public TimeSpan EventDelay { get; set; }

    /// <summary>Delay before sending response headers.</summary>
    public TimeSpan HeadersDelay { get; set; }

    /// <summary>When set, every event is written in random-sized pieces (1 byte upward) from this seed.</summary>
    public int? ChunkSeed { get; set; }

    /// <summary>After this many events stop writing and hold the connection open.</summary>
    public int? StallAfterEvents { get; set; }

    /// <summary>After this many events abort the connection (a reset).</summary>
    public int? ResetAfterEvents { get; set; }

    /// <summary>Send the events without the terminal event and [DONE], then end the body cleanly.</summary>
    public int? TruncateAfterEvents { get; set; }

    /// <summary>Refuse the connection outright by failing this many first attempts with a reset before headers.</summary>
    public int ResetBeforeHeadersCount { get; set; }
}
