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

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "ARTIFACT_ENCRYPTION_KEY is not set: artifacts are stored as plain JSON")]
    public static partial void ArtifactKeyMissing(ILogger logger);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "ARTIFACT_ENCRYPTION_KEY is shorter than 32 characters: use 32 or more random bytes (e.g. base64 of 32 random bytes)")]
    public static partial void ArtifactKeyWeak(ILogger logger);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "ENABLE_SSRF_PROTECTION=false: remote downloads may reach private and loopback addresses (scheme rules still apply)")]
    public static partial void SsrfProtectionOff(ILogger logger);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "MAX_REQUEST_BODY_MB is smaller than BASE64_MAX_SIZE_MB as base64: large inline attachments are rejected with 413")]
    public static partial void BodyCapBelowBase64Cap(ILogger logger);
}
