using AotPipe.Catalog;
using AotPipe.Configuration;
using AotPipe.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.Endpoints;

/// <summary><c>GET /v1/models</c>: the cached catalog, with <c>X-AotPipe-Catalog: stale</c> when the upstream is down.</summary>
public static class ModelsEndpoints
{
    /// <summary>Header that marks a catalog served from the last good copy.</summary>
    public const string StaleHeader = "X-AotPipe-Catalog";

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/models", static (HttpContext context) => HandleAsync(context));
        return routes;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("AotPipe.Endpoints.Models");
        if (string.IsNullOrEmpty(services.GetRequiredService<GatewaySettings>().OpenRouterApiKey))
        {
            await GatewayErrorReporter.WriteAsync(context, GatewayError.UpstreamKeyMissing, logger);
            return;
        }

        var snapshot = await services.GetRequiredService<ModelCatalog>().GetAsync(context.RequestAborted);
        if (snapshot is null)
        {
            await GatewayErrorReporter.WriteAsync(context, GatewayError.CatalogUnavailable, logger);
            return;
        }

        context.Response.ContentType = "application/json";
        if (snapshot.IsStale)
        {
            context.Response.Headers[StaleHeader] = "stale";
        }

        await context.Response.Body.WriteAsync(snapshot.Json, context.RequestAborted);
    }
}
