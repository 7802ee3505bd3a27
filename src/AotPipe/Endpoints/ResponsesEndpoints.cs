using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Errors;
using AotPipe.Hosting;
using AotPipe.Ingestion;
using AotPipe.Streaming;
using AotPipe.Upstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.Endpoints;

/// <summary><c>POST /v1/responses</c>: validate, rebuild identifiers, forward, relay the stream unchanged.</summary>
public static class ResponsesEndpoints
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapResponses(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/responses", static (HttpContext context) => PostRoute.RunAsync(context, "AotPipe.Endpoints.Responses", HandleAsync));
        return routes;
    }

    private static async Task HandleAsync(HttpContext context, JsonObject body, GatewaySettings settings, ILogger logger)
    {
        var services = context.RequestServices;
        if (Validate(body) is { } invalid)
        {
            await GatewayErrorReporter.WriteAsync(context, GatewayError.InvalidRequest, logger, invalid.Param, invalid.Message);
            return;
        }

        // Identifiers are rebuilt and attachments pass the egress guard on this route too (DESIGN.md section 2);
        // the response stream itself is never changed.
        var identity = CallerIdentityReader.Read(context, body);
        ResponsesRequestRewriter.Rewrite(body, identity, services.GetRequiredService<IdentifierOptions>());
        await services.GetRequiredService<AttachmentIngestor>().ProcessAsync(body, identity.UserId, context.RequestAborted);

        var stream = body["stream"] is JsonValue streamValue && streamValue.GetValueKind() == JsonValueKind.True;
        var payload = Serialize(body);
        PayloadLog.UpstreamRequest(logger, payload.Span, settings);
        using var timer = new RelayTimer(context.RequestAborted, services.GetRequiredService<ShutdownDrain>().Token, settings.IdleTimeout);
        await ForwardAsync(context, payload, stream, new ResponsesRelaySink(), timer, logger);
    }

    /// <summary>Sends the payload and answers from the upstream: error, SSE relay or JSON copy.</summary>
    internal static async Task ForwardAsync(HttpContext context, ReadOnlyMemory<byte> payload, bool stream, StreamEventSink sink, RelayTimer timer, ILogger logger)
    {
        if (await UpstreamForwarding.SendAsync(context, payload, stream, timer, logger) is not { } upstream)
        {
            return;
        }

        using (upstream)
        {
            if (upstream.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                await UpstreamForwarding.StreamAsync(context, upstream, sink, timer, logger);
            }
            else
            {
                await UpstreamForwarding.CopyJsonAsync(context, upstream, timer);
            }
        }
    }

    private static (string Param, string Message)? Validate(JsonObject body)
    {
        if (body["model"] is { } model && model.GetValueKind() != JsonValueKind.String)
        {
            return ("model", "model must be a string.");
        }

        if (body["input"] is { } input && input.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Array))
        {
            return ("input", "input must be a string or an array of input items.");
        }

        if (body["stream"] is { } stream && stream.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return ("stream", "stream must be a boolean.");
        }

        if (body["model"] is null && body["models"] is null)
        {
            return ("model", "model is required.");
        }

        return null;
    }

    internal static ReadOnlyMemory<byte> Serialize(JsonNode body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            body.WriteTo(writer);
        }

        return buffer.WrittenMemory;
    }
}
