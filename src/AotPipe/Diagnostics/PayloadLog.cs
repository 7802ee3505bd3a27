using System.Text;
using AotPipe.Configuration;
using AotPipe.Redaction;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>
/// Debug events that carry headers and payloads: the inbound request's headers, the upstream request and every non-delta
/// upstream SSE event. Each public helper checks <see cref="ILogger.IsEnabled"/> first, so nothing is redacted, copied or
/// formatted unless some provider (the console at <c>LOG_LEVEL=DEBUG</c>, or the session-log capture during a request)
/// wants Debug. Payloads pass through <see cref="LogRedaction"/>; credentials become fingerprints and identity headers are
/// masked (<see cref="HeaderRedaction"/>).
/// </summary>
internal static partial class PayloadLog
{
    [LoggerMessage(EventId = 7200, EventName = "InboundRequestHeaders", Level = LogLevel.Debug,
        Message = "Request {Method} {Path} headers: {Headers}")]
    private static partial void InboundHeadersCore(ILogger logger, string method, string path, string headers);

    [LoggerMessage(EventId = 7201, EventName = "UpstreamRequestHeaders", Level = LogLevel.Debug,
        Message = "Upstream request headers: {Headers}")]
    private static partial void UpstreamHeadersCore(ILogger logger, string headers);

    [LoggerMessage(EventId = 7202, EventName = "UpstreamRequestPayload", Level = LogLevel.Debug,
        Message = "Upstream request payload: {Payload}")]
    private static partial void UpstreamPayloadCore(ILogger logger, string payload);

    [LoggerMessage(EventId = 7203, EventName = "UpstreamEvent", Level = LogLevel.Debug,
        Message = "Upstream event {EventType}: {Data}")]
    private static partial void UpstreamEventCore(ILogger logger, string eventType, string data);

    /// <summary>Logs the inbound request's headers, redacted, when Debug is enabled.</summary>
    public static void InboundHeaders(ILogger logger, HttpRequest request)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var text = new StringBuilder(256);
        foreach (var (name, values) in request.Headers)
        {
            AppendHeader(text, name, HeaderRedaction.RedactHeaderValue(name, values.ToString()));
        }

        InboundHeadersCore(logger, request.Method, request.Path.Value ?? string.Empty, text.ToString());
    }

    /// <summary>
    /// Logs the upstream request when Debug is enabled: its headers as <c>OpenRouterClient</c> sends them (the key only as
    /// <c>Bearer &lt;first 8 hex of SHA-256(key)&gt;</c>) and the redacted JSON payload.
    /// </summary>
    /// <param name="logger">The endpoint's logger.</param>
    /// <param name="payload">The serialised upstream request body.</param>
    /// <param name="settings">Where the key (never logged, only fingerprinted), title and referer come from.</param>
    public static void UpstreamRequest(ILogger logger, ReadOnlySpan<byte> payload, GatewaySettings settings)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var headers = new StringBuilder(128);
        AppendHeader(headers, "Authorization", settings.OpenRouterApiKey is { Length: > 0 } key ? "Bearer " + HeaderRedaction.Fingerprint(key) : "(not set)");
        AppendHeader(headers, "X-OpenRouter-Title", settings.AppTitle);
        if (settings.HttpReferer is { } referer)
        {
            AppendHeader(headers, "HTTP-Referer", referer);
        }

        UpstreamHeadersCore(logger, headers.ToString());
        UpstreamPayloadCore(logger, LogRedaction.RedactUtf8(payload));
    }

    /// <summary>Logs one upstream SSE event's data, redacted; the caller has checked that Debug is enabled.</summary>
    internal static void UpstreamEvent(ILogger logger, string eventType, ReadOnlySpan<byte> data) =>
        UpstreamEventCore(logger, eventType, LogRedaction.RedactUtf8(data));

    private static void AppendHeader(StringBuilder text, string name, string value)
    {
        if (text.Length > 0)
        {
            text.Append("; ");
        }

        text.Append(name).Append(": ").Append(value);
    }
}
