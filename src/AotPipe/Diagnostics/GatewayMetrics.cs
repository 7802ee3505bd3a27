using System.Diagnostics.Metrics;
using AotPipe.Endpoints;
using AotPipe.Errors;
using AotPipe.Security.Auth;
using AotPipe.Streaming;
using Microsoft.AspNetCore.Http;

namespace AotPipe.Diagnostics;

/// <summary>
/// The gateway's instruments on one static <see cref="Meter"/> named <see cref="MeterName"/>. <see cref="MetricsCollector"/>
/// aggregates them for <c>GET /metrics</c>; any other <c>MeterListener</c> (OpenTelemetry) may listen too.
/// </summary>
/// <remarks>Label values are route patterns, status codes, fixed reason words and tenant names: never user ids, keys or
/// URLs, so cardinality stays bounded and nothing secret reaches a scrape.</remarks>
internal static class GatewayMetrics
{
    /// <summary>Name of the meter every instrument lives on.</summary>
    public const string MeterName = "AotPipe";

    private static readonly object?[] s_statusLabels = new object?[600];

    /// <summary>The meter.</summary>
    public static readonly Meter Meter = new(MeterName);

    /// <summary>Requests by route pattern and status.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("aotpipe_requests", description: "Requests by route and status.");

    /// <summary>Requests by tenant.</summary>
    public static readonly Counter<long> TenantRequests = Meter.CreateCounter<long>("aotpipe_tenant_requests", description: "Requests by tenant.");

    /// <summary>SSE responses currently streaming.</summary>
    public static readonly UpDownCounter<long> StreamsInFlight = Meter.CreateUpDownCounter<long>("aotpipe_streams_in_flight", description: "SSE responses currently streaming.");

    /// <summary>Seconds from request arrival to the first response body byte.</summary>
    public static readonly Histogram<double> TimeToFirstEvent = Meter.CreateHistogram<double>("aotpipe_time_to_first_event_seconds", description: "Seconds from request arrival to the first response body byte.");

    /// <summary>Seconds an SSE response streamed.</summary>
    public static readonly Histogram<double> StreamDuration = Meter.CreateHistogram<double>("aotpipe_stream_duration_seconds", description: "Seconds from request arrival to the end of an SSE response.");

    /// <summary>Upstream failures by class.</summary>
    public static readonly Counter<long> UpstreamErrors = Meter.CreateCounter<long>("aotpipe_upstream_errors", description: "Upstream failures by class.");

    /// <summary>Body bytes by route and direction (<c>in</c> = request, <c>out</c> = response).</summary>
    public static readonly Counter<long> Bytes = Meter.CreateCounter<long>("aotpipe_relayed_bytes", description: "Body bytes by route and direction.");

    /// <summary>Attachments removed by the egress guard or ingestion limits, by reason.</summary>
    public static readonly Counter<long> EgressBlocks = Meter.CreateCounter<long>("aotpipe_egress_blocks", description: "Attachments removed by the egress guard or ingestion limits, by reason.");

    /// <summary>Requests refused for a missing or wrong inbound key.</summary>
    public static readonly Counter<long> AuthFailures = Meter.CreateCounter<long>("aotpipe_auth_failures", description: "Requests refused for a missing or wrong inbound key.");

    /// <summary>Requests refused by a tenant limit, by tenant.</summary>
    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("aotpipe_rate_limited", description: "Requests refused by a tenant limit.");

    /// <summary>Tokens by tenant and kind (prompt, completion, reasoning, cached).</summary>
    public static readonly Counter<long> TenantTokens = Meter.CreateCounter<long>("aotpipe_tenant_tokens", description: "Tokens by tenant and kind.");

    /// <summary>OpenRouter cost in USD by tenant.</summary>
    public static readonly Counter<double> TenantCost = Meter.CreateCounter<double>("aotpipe_tenant_cost_usd", description: "OpenRouter cost in USD by tenant.");

    /// <summary>The request's tenant: the inbound key's name, else <c>default</c>.</summary>
    public static string TenantOf(HttpContext context) => context.Features.Get<ITenantFeature>()?.Tenant ?? CallerIdentityReader.DefaultTenant;

    /// <summary>Records the measurements of one finished request.</summary>
    /// <param name="route">Route pattern label.</param>
    /// <param name="status">Response status.</param>
    /// <param name="tenant">Tenant label.</param>
    /// <param name="bytesIn">Request body bytes.</param>
    /// <param name="bytesOut">Response body bytes.</param>
    /// <param name="firstEventSeconds">Time to the first response body byte, or null when none was written.</param>
    /// <param name="streamSeconds">Duration of an SSE response (ends its <see cref="StreamsInFlight"/> count), or null.</param>
    public static void RecordRequest(string route, int status, string tenant, long bytesIn, long bytesOut, double? firstEventSeconds, double? streamSeconds)
    {
        var routeTag = new KeyValuePair<string, object?>("route", route);
        Requests.Add(1, routeTag, new("status", StatusLabel(status)));
        TenantRequests.Add(1, new KeyValuePair<string, object?>("tenant", tenant));
        Bytes.Add(bytesIn, routeTag, new("direction", "in"));
        Bytes.Add(bytesOut, routeTag, new("direction", "out"));
        if (firstEventSeconds is { } firstEvent)
        {
            TimeToFirstEvent.Record(firstEvent, routeTag);
        }

        if (streamSeconds is { } stream)
        {
            StreamsInFlight.Add(-1);
            StreamDuration.Record(stream, routeTag);
        }
    }

    /// <summary>The status as a tag value, boxed once per code rather than once per request.</summary>
    private static object StatusLabel(int status) =>
        (uint)status < (uint)s_statusLabels.Length ? s_statusLabels[status] ??= status : status;

    /// <summary>Records one response's usage for its tenant and for the access log line.</summary>
    public static void RecordUsage(HttpContext context, in ChatUsage usage)
    {
        var tenant = new KeyValuePair<string, object?>("tenant", TenantOf(context));
        TenantTokens.Add(usage.PromptTokens, tenant, new("kind", "prompt"));
        TenantTokens.Add(usage.CompletionTokens, tenant, new("kind", "completion"));
        TenantTokens.Add(usage.ReasoningTokens, tenant, new("kind", "reasoning"));
        TenantTokens.Add(usage.CachedTokens, tenant, new("kind", "cached"));
        if (usage.Cost is { } cost)
        {
            TenantCost.Add(cost, tenant);
        }

        context.Features.Get<RequestTelemetry>()?.AddUsage(usage.PromptTokens, usage.CompletionTokens, usage.Cost ?? 0);
    }

    /// <summary>Records an attachment removal (egress guard or ingestion limit) by its reason word.</summary>
    public static void RecordEgressBlock(string reason)
    {
        // "http-404" style reasons carry a status: keep the family so the label set stays small.
        var label = reason.StartsWith(Security.Egress.EgressReasons.HttpStatusPrefix, StringComparison.Ordinal) ? "http-status" : reason;
        EgressBlocks.Add(1, new KeyValuePair<string, object?>("reason", label));
    }

    /// <summary>Records an upstream failure by class (<c>status_4xx</c>, <c>unreachable</c>, <c>reset</c>, ...).</summary>
    public static void RecordUpstreamError(string errorClass) => UpstreamErrors.Add(1, new KeyValuePair<string, object?>("class", errorClass));

    /// <summary>The class word of a failure detected after streaming began.</summary>
    public static string InBandClass(GatewayError error) => error switch
    {
        GatewayError.UpstreamIdleTimeout => "idle_timeout",
        GatewayError.UpstreamReset => "reset",
        GatewayError.UpstreamTruncated => "truncated",
        GatewayError.UpstreamEventTooLarge => "event_too_large",
        GatewayError.ShuttingDown => "shutting_down",
        _ => "other",
    };

    /// <summary>The class word of an upstream HTTP status.</summary>
    public static string StatusClass(int status) => status >= 500 ? "status_5xx" : "status_4xx";
}
