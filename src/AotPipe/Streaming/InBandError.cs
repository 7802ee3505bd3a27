using AotPipe.Errors;

namespace AotPipe.Streaming;

/// <summary>Codes and messages for failures the gateway detects after a stream has started.</summary>
public static class InBandError
{
    /// <summary>The stable code and operator-facing message for <paramref name="error"/>.</summary>
    public static (string Code, string Message) Describe(GatewayError error) => error switch
    {
        GatewayError.UpstreamIdleTimeout => ("upstream_timeout", "The upstream stream was silent for longer than the idle timeout; the response is incomplete."),
        GatewayError.UpstreamReset => ("upstream_reset", "The upstream connection was reset mid-stream; the response is incomplete."),
        GatewayError.UpstreamTruncated => ("upstream_truncated", "The upstream stream ended without a terminal event; the response is incomplete."),
        GatewayError.UpstreamEventTooLarge => ("upstream_event_too_large", "An upstream event exceeded the gateway's per-event size limit; the response is incomplete."),
        GatewayError.ShuttingDown => ("shutting_down", "The gateway is shutting down; the response is incomplete."),
        _ => ("upstream_error", "The upstream stream failed; the response is incomplete."),
    };
}
