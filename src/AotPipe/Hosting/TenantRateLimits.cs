using System.Threading.RateLimiting;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace AotPipe.Hosting;

/// <summary>Per-tenant in-flight and requests-per-minute limiters (<c>AOTPIPE_TENANT_MAX_CONCURRENT</c>, <c>AOTPIPE_TENANT_RPM</c>).</summary>
/// <remarks>Both apply to the <c>POST /v1/*</c> routes (DESIGN.md section 2); nothing queues (QueueLimit 0): over a limit
/// the answer is 429 at once, like the global gate's 503.</remarks>
internal static class TenantRateLimits
{
    /// <summary>Window of <c>AOTPIPE_TENANT_RPM</c>.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Segments of the sliding window: permits come back every 10 s instead of all at once each minute.</summary>
    public const int WindowSegments = 6;

    /// <summary>The global limiter, or null when both limits are off.</summary>
    public static PartitionedRateLimiter<HttpContext>? Create(GatewaySettings settings)
    {
        var limiters = new List<PartitionedRateLimiter<HttpContext>>(2);
        if (settings.TenantMaxConcurrent > 0)
        {
            var permits = settings.TenantMaxConcurrent;
            limiters.Add(PartitionedRateLimiter.Create<HttpContext, string>(context => IsLimited(context)
                ? RateLimitPartition.GetConcurrencyLimiter(GatewayMetrics.TenantOf(context), _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(string.Empty)));
        }

        if (settings.TenantRequestsPerMinute > 0)
        {
            var permits = settings.TenantRequestsPerMinute;
            limiters.Add(PartitionedRateLimiter.Create<HttpContext, string>(context => IsLimited(context)
                ? RateLimitPartition.GetSlidingWindowLimiter(GatewayMetrics.TenantOf(context), _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = Window,
                    SegmentsPerWindow = WindowSegments,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter(string.Empty)));
        }

        return limiters.Count switch
        {
            0 => null,
            1 => limiters[0],
            _ => PartitionedRateLimiter.CreateChained([.. limiters]),
        };
    }

    /// <summary>Whether the request counts against the tenant limits.</summary>
    public static bool IsLimited(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal);
}
