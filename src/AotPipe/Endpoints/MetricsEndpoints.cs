using System.Text;
using AotPipe.Diagnostics;
using AotPipe.Hosting;
using AotPipe.Persistence;
using AotPipe.SessionLogs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AotPipe.Endpoints;

/// <summary><c>GET /metrics</c>: Prometheus text exposition of the gateway's instruments and component counters.</summary>
public static class MetricsEndpoints
{
    /// <summary>The exposition format's content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Maps the route (auth applies when keys are configured).</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/metrics", static (HttpContext context) => WriteAsync(context));
        return routes;
    }

    /// <summary>Renders the whole exposition for <paramref name="services"/>.</summary>
    internal static string Render(IServiceProvider services)
    {
        var text = new StringBuilder(4096);
        services.GetRequiredService<MetricsCollector>().Render(text);
        if (services.GetService<AdmissionGate>() is { } gate)
        {
            Gauge(text, "aotpipe_requests_in_flight", "In-flight /v1/* POST requests (MAX_CONCURRENT_REQUESTS gate).", gate.InFlight);
        }

        // Components registered by other parts of the gateway are optional: a gateway without them still scrapes.
        if (services.GetService<IArtifactStore>() is { } store)
        {
            var counters = store.Counters;
            Counter(text, "aotpipe_artifact_batches_total", "Artifact write transactions committed.", counters.Batches);
            Counter(text, "aotpipe_artifact_rows_total", "Artifact rows committed.", counters.Rows);
            Counter(text, "aotpipe_artifact_retries_total", "Artifact write attempts retried.", counters.Retries);
            Counter(text, "aotpipe_artifact_spilled_rows_total", "Artifact rows written to the local spill journal.", counters.SpilledRows);
            Counter(text, "aotpipe_artifact_replayed_rows_total", "Artifact rows replayed from the spill journal.", counters.ReplayedRows);
            Counter(text, "aotpipe_artifact_quarantined_rows_total", "Artifact rows refused by the database and quarantined.", counters.QuarantinedRows);
            if (RedisSupport.IsSupported && store is RedisCachedArtifactStore { Cache: var cache })
            {
                Counter(text, "aotpipe_artifact_cache_hits_total", "Artifact rows served from the Redis read cache.", cache.Hits);
                Counter(text, "aotpipe_artifact_cache_misses_total", "Artifact rows looked up in the Redis read cache and read from the database.", cache.Misses);
                Counter(text, "aotpipe_artifact_cache_errors_total", "Redis read-cache calls that failed or timed out (served from the database).", cache.Errors);
            }
        }

        if (services.GetService<SessionLogQueue>() is { } sessionLogs)
        {
            Counter(text, "aotpipe_session_log_archives_written_total", "Session-log archives written.", sessionLogs.WrittenCount);
            Counter(text, "aotpipe_session_log_archives_dropped_total", "Session-log archives dropped (queue full).", sessionLogs.DroppedCount);
        }

        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        MetricsCollector.WriteHeader(text, name, help, "counter");
        MetricsCollector.WriteSample(text, name, string.Empty, value);
    }

    private static void Gauge(StringBuilder text, string name, string help, long value)
    {
        MetricsCollector.WriteHeader(text, name, help, "gauge");
        MetricsCollector.WriteSample(text, name, string.Empty, value);
    }

    private static Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = ContentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(Render(context.RequestServices), context.RequestAborted);
    }
}
