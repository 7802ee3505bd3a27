using System.Globalization;
using System.Threading.RateLimiting;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Endpoints;
using AotPipe.Errors;
using AotPipe.Security.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>
/// Production operations: inbound keys and tenants, per-tenant limits, header limits, <c>/metrics</c>,
/// <c>/openapi/v1.json</c> and the access log (DESIGN.md sections 2 and 3).
/// </summary>
/// <remarks>Pipeline order: telemetry (outermost, so 401 and 429 are counted) → auth (sets the tenant) → tenant limits
/// (partitioned by that tenant) → endpoints.</remarks>
public static class OperationsServices
{
    /// <summary>Most request headers Kestrel accepts; one more answers 431. Open WebUI sends about 15.</summary>
    public const int MaxRequestHeaderCount = 100;

    /// <summary>Largest total size of request headers in bytes; past it Kestrel answers 431. Kestrel counts every header
    /// line with its CRLF, not the blank line that ends the block.</summary>
    public const int MaxRequestHeadersTotalBytes = 32 * 1024;

    /// <summary>Routes that stay open when keys are configured (probes carry no credentials).</summary>
    private static readonly string[] s_openPaths = ["/healthz", "/readyz"];

    /// <summary>Registers the operations services; throws <see cref="SettingsException"/> for a bad <c>AOTPIPE_API_KEYS</c>.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, GatewaySettings settings)
    {
        services.AddSingleton(new ApiKeyRing(ApiKeyParser.Parse(settings.ApiKeys)));
        services.AddSingleton<MetricsCollector>();
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
            kestrel.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalBytes;
        });

        if (settings.AccessLog)
        {
            // The access log is asked for explicitly, so it is written even when LOG_LEVEL is above INFO.
            services.Configure<LoggerFilterOptions>(options => options.Rules.Add(new LoggerFilterRule(null, OperationsLog.AccessCategory, LogLevel.Information, null)));
        }

        if (TenantRateLimits.Create(settings) is { } limiter)
        {
            services.AddRateLimiter(options =>
            {
                options.GlobalLimiter = limiter;
                options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                options.OnRejected = static (rejected, _) => RejectAsync(rejected);
            });
        }

        return services;
    }

    /// <summary>Adds the middleware and maps <c>/metrics</c> and <c>/openapi/v1.json</c>.</summary>
    public static WebApplication UseOperations(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<GatewaySettings>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        var ring = app.Services.GetRequiredService<ApiKeyRing>();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var accessLogger = settings.AccessLog ? loggers.CreateLogger(OperationsLog.AccessCategory) : null;
        var authLogger = loggers.CreateLogger("AotPipe.Auth");
        app.Services.GetRequiredService<MetricsCollector>();

        app.Use((context, next) => ObserveAsync(context, next, time, accessLogger));
        if (ring.IsEnabled)
        {
            app.Use((context, next) => AuthenticateAsync(context, next, ring, authLogger));
        }

        if (settings.TenantMaxConcurrent > 0 || settings.TenantRequestsPerMinute > 0)
        {
            app.UseRateLimiter();
        }

        app.MapMetrics();
        app.MapOpenApiDocument();
        return app;
    }

    /// <summary>The bearer token of an <c>Authorization</c> header, or empty.</summary>
    internal static ReadOnlySpan<char> BearerToken(string? authorization)
    {
        const string Scheme = "Bearer ";
        return authorization is not null && authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? authorization.AsSpan(Scheme.Length).Trim()
            : [];
    }

    /// <summary>The route label: the matched route pattern, else <c>unmatched</c> (raw paths would be unbounded).</summary>
    internal static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } ? pattern : "unmatched";

    private static Task AuthenticateAsync(HttpContext context, RequestDelegate next, ApiKeyRing ring, ILogger logger)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (Array.IndexOf(s_openPaths, path) >= 0)
        {
            return next(context);
        }

        if (ring.Match(BearerToken(context.Request.Headers.Authorization)) is not { } tenant)
        {
            GatewayMetrics.AuthFailures.Add(1);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return GatewayErrorReporter.WriteAsync(context, GatewayError.InvalidApiKey, logger);
        }

        context.Features.Set<ITenantFeature>(new TenantFeature(tenant));

        // Session-log archives put the tenant in front of the user folder when inbound keys are configured.
        context.Items[RequestLogMiddleware.TenantItemKey] = tenant;
        return next(context);
    }

    private static async Task ObserveAsync(HttpContext context, RequestDelegate next, TimeProvider time, ILogger? accessLogger)
    {
        var telemetry = new RequestTelemetry(time.GetTimestamp());
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set(telemetry);
        context.Features.Set<IHttpResponseBodyFeature>(new CountingResponseBody(original, context, telemetry, time));
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            context.Features.Set(original);
            Record(context, telemetry, time, failed, accessLogger);
        }
    }

    private static void Record(HttpContext context, RequestTelemetry telemetry, TimeProvider time, bool failed, ILogger? accessLogger)
    {
        var route = RouteOf(context);
        var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        var tenant = GatewayMetrics.TenantOf(context);
        var end = time.GetTimestamp();
        var bytesIn = context.Request.ContentLength ?? 0;
        var firstByte = telemetry.FirstByteTimestamp;
        var firstEvent = firstByte == 0 ? TimeSpan.Zero : time.GetElapsedTime(telemetry.StartTimestamp, firstByte);
        var duration = time.GetElapsedTime(telemetry.StartTimestamp, end);
        GatewayMetrics.RecordRequest(route, status, tenant, bytesIn, telemetry.ResponseBytes,
            firstByte == 0 ? null : firstEvent.TotalSeconds, telemetry.IsStream ? duration.TotalSeconds : null);

        if (accessLogger is not null)
        {
            OperationsLog.Access(accessLogger, context.Request.Method, route, status, duration.TotalMilliseconds, firstEvent.TotalMilliseconds, tenant,
                bytesIn, telemetry.ResponseBytes, telemetry.PromptTokens, telemetry.CompletionTokens, telemetry.Cost);
        }
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        var tenant = GatewayMetrics.TenantOf(context);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AotPipe.Limits");
        GatewayMetrics.RateLimited.Add(1, new KeyValuePair<string, object?>("tenant", tenant));
        OperationsLog.TenantLimited(logger, tenant, retryAfter);
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await GatewayErrorReporter.WriteAsync(context, GatewayError.RateLimited, logger);
    }
}
