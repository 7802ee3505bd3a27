using AotPipe.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AotPipe.Errors;

/// <summary>The one place that turns a <see cref="GatewayError"/> into a status, an OpenAI error body and a log line.</summary>
public static class GatewayErrorReporter
{
    /// <summary>Answers a request that has not started streaming with the error.</summary>
    /// <param name="context">The request.</param>
    /// <param name="error">What went wrong.</param>
    /// <param name="logger">Where the one log line goes.</param>
    /// <param name="param">The offending field for <see cref="GatewayError.InvalidRequest"/>.</param>
    /// <param name="message">Overrides the default message (never contains secrets or payload bytes).</param>
    /// <param name="exception">The cause, logged without its message reaching the client.</param>
    public static Task WriteAsync(HttpContext context, GatewayError error, ILogger logger, string? param = null, string? message = null, Exception? exception = null)
    {
        var (status, type, code, defaultMessage) = Describe(error, param);
        GatewayLog.RequestFailed(logger, error, status, code, exception);
        if (error is GatewayError.UpstreamUnreachable or GatewayError.UpstreamTimeout)
        {
            GatewayMetrics.RecordUpstreamError(error == GatewayError.UpstreamTimeout ? "timeout" : "unreachable");
        }

        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        if (error == GatewayError.Overloaded)
        {
            response.Headers.RetryAfter = "1";
        }

        OpenAiErrorWriter.Write(response.BodyWriter, message ?? defaultMessage, type, code, param);
        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }

    /// <summary>Status, type, code and default message for each error (DESIGN.md section 2, "Errors").</summary>
    public static (int Status, string Type, string Code, string Message) Describe(GatewayError error, string? param = null) => error switch
    {
        GatewayError.InvalidRequest => (400, "invalid_request_error", param ?? "body", "The request body is invalid."),
        GatewayError.RequestTooLarge => (413, "invalid_request_error", "request_too_large", "The request body exceeds MAX_REQUEST_BODY_MB."),
        GatewayError.InvalidApiKey => (401, "authentication_error", "invalid_api_key", "Missing or invalid API key."),
        GatewayError.UpstreamKeyMissing => (401, "configuration_error", "openrouter_api_key_missing", "The gateway has no OPENROUTER_API_KEY configured."),
        GatewayError.Overloaded => (503, "rate_limit_error", "overloaded", "Too many concurrent requests; retry shortly."),
        GatewayError.RateLimited => (429, "rate_limit_error", "rate_limited", "Tenant rate limit exceeded."),
        GatewayError.UpstreamUnreachable => (502, "upstream_error", "upstream_unreachable", "OpenRouter could not be reached."),
        GatewayError.UpstreamTimeout => (504, "upstream_error", "upstream_timeout", "OpenRouter did not answer within the idle timeout."),
        GatewayError.CatalogUnavailable => (503, "upstream_error", "catalog_unavailable", "The model catalog could not be fetched from OpenRouter."),
        GatewayError.ShuttingDown => (503, "upstream_error", "shutting_down", "The gateway is shutting down."),
        _ => (502, "upstream_error", "upstream_error", "The upstream request failed."),
    };
}
