using AotPipe.Errors;
using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>Source-generated log lines of the request path. Nothing is formatted when a level is off.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "AotPipe listening on {Urls}")]
    public static partial void Listening(ILogger logger, string urls);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "OPENROUTER_API_KEY is not set: /v1/* answers 401 openrouter_api_key_missing until it is")]
    public static partial void UpstreamKeyMissing(ILogger logger);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Request failed before streaming: {Error} -> HTTP {Status} ({Code})")]
    public static partial void RequestFailed(ILogger logger, GatewayError error, int status, string code, Exception? exception);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Stream ended in-band with {Error} after {Events} events")]
    public static partial void StreamFailed(ILogger logger, GatewayError error, long events, Exception? exception);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Client disconnected after {Events} events; upstream request cancelled")]
    public static partial void ClientGone(ILogger logger, long events);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Upstream attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms")]
    public static partial void UpstreamRetry(ILogger logger, int attempt, string reason, long delayMs);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Rejected request: over MAX_CONCURRENT_REQUESTS ({Limit})")]
    public static partial void Overloaded(ILogger logger, int limit);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Shutdown: draining {InFlight} in-flight streams for up to {DrainSeconds} s")]
    public static partial void Draining(ILogger logger, int inFlight, double drainSeconds);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Debug, Message = "Upstream request payload: {Payload}")]
    public static partial void UpstreamPayload(ILogger logger, string payload);
}
