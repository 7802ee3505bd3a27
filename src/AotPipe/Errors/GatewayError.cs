namespace AotPipe.Errors;

/// <summary>Every failure the gateway expects, one member per stage (the YARP <c>ForwarderError</c> style).</summary>
/// <remarks><see cref="GatewayErrorReporter"/> is the one place that maps a member to a status, an OpenAI error body
/// and a log line.</remarks>
public enum GatewayError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>The client's body is not valid JSON or a field is wrong (400).</summary>
    InvalidRequest,

    /// <summary>The body is larger than <c>MAX_REQUEST_BODY_MB</c> (413).</summary>
    RequestTooLarge,

    /// <summary>The inbound key is missing or wrong (401).</summary>
    InvalidApiKey,

    /// <summary><c>OPENROUTER_API_KEY</c> is not configured (401).</summary>
    UpstreamKeyMissing,

    /// <summary>Over <c>MAX_CONCURRENT_REQUESTS</c> (503).</summary>
    Overloaded,

    /// <summary>Over a tenant limit (429).</summary>
    RateLimited,

    /// <summary>The upstream answered 4xx/5xx before streaming (same status).</summary>
    UpstreamStatus,

    /// <summary>The upstream could not be reached or the connection failed before a response (502).</summary>
    UpstreamUnreachable,

    /// <summary>No upstream response headers within the idle timeout (504).</summary>
    UpstreamTimeout,

    /// <summary>The upstream stream went silent past the idle timeout after streaming began (in-band).</summary>
    UpstreamIdleTimeout,

    /// <summary>The upstream connection broke mid-stream (in-band).</summary>
    UpstreamReset,

    /// <summary>The upstream stream ended without a terminal event (in-band).</summary>
    UpstreamTruncated,

    /// <summary>One upstream SSE event exceeded <c>SseFramer.MaxEventBytes</c> (in-band).</summary>
    UpstreamEventTooLarge,

    /// <summary>The gateway is shutting down and the drain time ran out (in-band).</summary>
    ShuttingDown,

    /// <summary>The model catalog could not be fetched and no earlier copy exists (503).</summary>
    CatalogUnavailable,
}
