using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AotPipe.Endpoints;

/// <summary><c>GET /healthz</c> (liveness) and <c>GET /readyz</c> (readiness with a component list).</summary>
public static class HealthEndpoints
{
    /// <summary>Maps both routes; they never require a key.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", static (HttpContext context) => WriteAsync(context, "{\"status\":\"ok\"}"u8.ToArray(), 200));
        routes.MapGet("/readyz", static (HttpContext context) => WriteAsync(context, "{\"status\":\"ready\",\"components\":{\"gateway\":\"ok\"}}"u8.ToArray(), 200));
        return routes;
    }

    private static Task WriteAsync(HttpContext context, byte[] body, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
