using System.Text.Json.Nodes;
using AotPipe.Configuration;
using AotPipe.Errors;
using AotPipe.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.Endpoints;

/// <summary>The steps every <c>POST /v1/*</c> route takes before its own work: admission under
/// <c>MAX_CONCURRENT_REQUESTS</c>, the upstream-key check, and the JSON body under the size cap.</summary>
internal static class PostRoute
{
    /// <summary>Runs <paramref name="handle"/> with the parsed body, or answers the first failing check.</summary>
    public static async Task RunAsync(HttpContext context, string loggerCategory, Func<HttpContext, JsonObject, GatewaySettings, ILogger, Task> handle)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(loggerCategory);
        var settings = services.GetRequiredService<GatewaySettings>();
        var gate = services.GetRequiredService<AdmissionGate>();
        if (!gate.TryEnter())
        {
            await GatewayErrorReporter.WriteAsync(context, GatewayError.Overloaded, logger);
            return;
        }

        try
        {
            if (string.IsNullOrEmpty(settings.OpenRouterApiKey))
            {
                await GatewayErrorReporter.WriteAsync(context, GatewayError.UpstreamKeyMissing, logger);
                return;
            }

            var (body, error, message) = await RequestBody.ReadObjectAsync(context, settings.MaxRequestBodyBytes);
            if (body is null)
            {
                await GatewayErrorReporter.WriteAsync(context, error, logger, message: message);
                return;
            }

            await handle(context, body, settings, logger);
        }
        finally
        {
            gate.Exit();
        }
    }
}
