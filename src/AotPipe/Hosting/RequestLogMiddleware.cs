using AotPipe.Diagnostics;
using AotPipe.SessionLogs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace AotPipe.Hosting;

/// <summary>
/// Runs around every <c>/v1/*</c> request: opens the log scope (request id, user id, chat id) and, when session-log archives
/// are active, captures the request's log events into a <see cref="SessionLogBuffer"/> that is queued for its archive once
/// the response has been written, streams included. The queue is never awaited by the response.
/// </summary>
internal sealed class RequestLogMiddleware
{
    /// <summary><c>HttpContext.Items</c> key under which authentication leaves the tenant (inbound key name) of a request.</summary>
    public const string TenantItemKey = "AotPipe.Tenant";

    /// <summary>Open WebUI's forwarded user id header.</summary>
    public const string UserIdHeader = "X-OpenWebUI-User-Id";

    /// <summary>Open WebUI's forwarded chat id header.</summary>
    public const string ChatIdHeader = "X-OpenWebUI-Chat-Id";

    /// <summary>Open WebUI's forwarded message id header.</summary>
    public const string MessageIdHeader = "X-OpenWebUI-Message-Id";

    /// <summary>Open WebUI's forwarded session id header.</summary>
    public const string SessionIdHeader = "X-OpenWebUI-Session-Id";

    private static readonly PathString s_apiPrefix = new("/v1");

    private readonly ILogger _logger;
    private readonly SessionLogQueue? _queue;
    private readonly int _maxLines;

    /// <summary>Creates the middleware; <paramref name="queue"/> is null when archives are off.</summary>
    public RequestLogMiddleware(ILogger logger, SessionLogQueue? queue, int maxLines)
    {
        _logger = logger;
        _queue = queue is { IsActive: true } ? queue : null;
        _maxLines = maxLines;
    }

    /// <summary>Handles one request.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next) =>
        context.Request.Path.StartsWithSegments(s_apiPrefix) ? InvokeApiAsync(context, next) : next(context);

    private async Task InvokeApiAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Request.Headers;
        string requestId = context.TraceIdentifier;
        string? userId = NonEmpty(headers[UserIdHeader]);
        string? chatId = NonEmpty(headers[ChatIdHeader]);
        using var scope = _logger.BeginScope(new RequestLogScope(requestId, userId, chatId));

        // Session logs cover the POST routes (DESIGN.md section 2). A missing message id is the request id, as for artifacts;
        // a missing user or chat id becomes the "user"/"chat" folder when the archive path is built.
        SessionLogBuffer? buffer = null;
        if (_queue is not null && HttpMethods.IsPost(context.Request.Method))
        {
            var ids = new SessionLogIds(userId, NonEmpty(headers[SessionIdHeader]), chatId, NonEmpty(headers[MessageIdHeader]) ?? requestId, requestId);
            buffer = new SessionLogBuffer(ids, _maxLines);
            SessionLogCaptureProvider.Current = buffer;
        }

        PayloadLog.InboundHeaders(_logger, context.Request);
        try
        {
            await next(context);
        }
        finally
        {
            if (buffer is not null)
            {
                SessionLogCaptureProvider.Current = null;
                if (context.Items.TryGetValue(TenantItemKey, out object? tenant) && tenant is string { Length: > 0 } name)
                {
                    buffer.Rebind(buffer.Ids with { Tenant = name });
                }

                // Full queue: dropped, counted and logged by the queue; the response never waits for an archive.
                _queue!.TryEnqueue(buffer);
            }
        }
    }

    private static string? NonEmpty(StringValues value)
    {
        if (value.Count == 0)
        {
            return null;
        }

        string text = value.ToString().Trim();
        return text.Length == 0 ? null : text;
    }
}
