using System.Text.Json;
using AotPipe.Hosting;
using AotPipe.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AotPipe.Endpoints;

/// <summary><c>GET /healthz</c> (liveness) and <c>GET /readyz</c> (readiness with a component list).</summary>
public static class HealthEndpoints
{
    /// <summary>Maps both routes; they never require a key.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", static (HttpContext context) => WriteHealthyAsync(context));
        routes.MapGet("/readyz", static (HttpContext context) => WriteReadinessAsync(context));
        return routes;
    }

    private static Task WriteHealthyAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync("{\"status\":\"ok\"}"u8.ToArray(), context.RequestAborted).AsTask();
    }

    /// <summary>Ready while artifact writes are durable somewhere: the database, or the local journal below its cap
    /// (DESIGN.md section 2).</summary>
    private static async Task WriteReadinessAsync(HttpContext context)
    {
        var lifetime = context.RequestServices.GetService<ArtifactStoreLifetime>();
        var storeReady = lifetime is null || await lifetime.WaitReadyAsync(context.RequestAborted);
        var health = lifetime?.Store.GetHealth();
        var ready = storeReady && health?.State != StoreState.Unhealthy;
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("status"u8, ready ? "ready" : "not_ready");
        writer.WriteStartObject("components"u8);
        writer.WriteString("gateway"u8, "ok");
        if (lifetime is not null)
        {
            writer.WriteStartObject("artifact_store"u8);
            writer.WriteString("name"u8, health!.Name);
            writer.WriteString("state"u8, !storeReady ? "initializing" : health.State.ToString().ToLowerInvariant());
            writer.WriteNumber("queued_rows"u8, health.QueuedRows);
            writer.WriteNumber("spilled_rows"u8, health.PendingSpilledRows);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
