using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>Log lines of the operations layer (auth, limits, access log). Keys never appear; tenants may.</summary>
internal static partial class OperationsLog
{
    /// <summary>Category of the access log, kept at information level whenever <c>ACCESS_LOG=true</c>.</summary>
    public const string AccessCategory = "AotPipe.Access";

    /// <summary>One line per request when <c>ACCESS_LOG=true</c>.</summary>
    [LoggerMessage(EventId = 5000, EventName = "Access", Level = LogLevel.Information,
        Message = "access method={Method} route={Route} status={Status} duration_ms={DurationMs:F1} first_event_ms={FirstEventMs:F1} tenant={Tenant} bytes_in={BytesIn} bytes_out={BytesOut} prompt_tokens={PromptTokens} completion_tokens={CompletionTokens} cost={Cost}")]
    public static partial void Access(ILogger logger, string method, string route, int status, double durationMs, double firstEventMs, string tenant, long bytesIn, long bytesOut, long promptTokens, long completionTokens, double cost);

    /// <summary>A request refused by a tenant limit.</summary>
    [LoggerMessage(EventId = 5002, EventName = "TenantLimited", Level = LogLevel.Warning, Message = "Tenant {Tenant} over its limit; retry after {RetryAfterSeconds} s")]
    public static partial void TenantLimited(ILogger logger, string tenant, int retryAfterSeconds);
}
