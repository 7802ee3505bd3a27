namespace AotPipe.Diagnostics;

/// <summary>Per-request numbers for metrics and the access log, stored in <c>HttpContext.Features</c>.</summary>
internal sealed class RequestTelemetry
{
    private long _responseBytes;
    private long _firstByteTimestamp;

    /// <summary>Creates the record at request arrival.</summary>
    public RequestTelemetry(long startTimestamp) => StartTimestamp = startTimestamp;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> at arrival.</summary>
    public long StartTimestamp { get; }

    /// <summary>Timestamp of the first response body byte, 0 while none was written.</summary>
    public long FirstByteTimestamp => Volatile.Read(ref _firstByteTimestamp);

    /// <summary>Response body bytes written.</summary>
    public long ResponseBytes => Interlocked.Read(ref _responseBytes);

    /// <summary>Whether the response is an SSE stream that was counted in <c>aotpipe_streams_in_flight</c>.</summary>
    public bool IsStream { get; set; }

    /// <summary>Prompt tokens reported by the upstream.</summary>
    public long PromptTokens { get; private set; }

    /// <summary>Completion tokens reported by the upstream.</summary>
    public long CompletionTokens { get; private set; }

    /// <summary>Cost in USD reported by the upstream.</summary>
    public double Cost { get; private set; }

    /// <summary>Adds written bytes; returns true for the first bytes of the response (the caller then calls
    /// <see cref="MarkFirstByte"/>), so the clock is read once per response, never per streamed event.</summary>
    public bool AddBytes(int count) => Interlocked.Add(ref _responseBytes, count) == count && count > 0;

    /// <summary>Records when the first body byte was written.</summary>
    public void MarkFirstByte(long timestamp) => Interlocked.CompareExchange(ref _firstByteTimestamp, timestamp, 0);

    /// <summary>Adds one response's usage.</summary>
    public void AddUsage(long promptTokens, long completionTokens, double cost)
    {
        PromptTokens += promptTokens;
        CompletionTokens += completionTokens;
        Cost += cost;
    }
}
