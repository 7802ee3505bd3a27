using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AotPipe.OpenApiDocGen;

/// <summary>
/// Describes every route of the gateway and the OpenAI error shape in <c>/openapi/v1.json</c>.
/// </summary>
/// <remarks>The routes are mapped with <c>RequestDelegate</c> handlers (they read and write bodies by hand for speed),
/// which carry no parameter or response metadata for the generator; this transformer writes their descriptions
/// directly, so the document stays complete without reflection-based schema generation.</remarks>
public sealed class OpenApiDescription : IOpenApiDocumentTransformer
{
    /// <summary>Name of the error schema component.</summary>
    public const string ErrorSchema = "Error";

    /// <summary>Name of the bearer security scheme.</summary>
    public const string BearerScheme = "bearer";

    /// <inheritdoc />
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "AotPipe";
        document.Info.Description = "OpenAI-compatible gateway to OpenRouter's Responses API. When inbound keys are configured, "
            + "every route except /healthz and /readyz needs Authorization: Bearer <key>.";
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        document.Components.Schemas[ErrorSchema] = ErrorShape();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An inbound key from AOTPIPE_API_KEYS; its name is the tenant.",
        };

        var error = new OpenApiSchemaReference(ErrorSchema, document);
        var secured = new List<OpenApiSecurityRequirement> { new() { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] } };
        document.Paths ??= [];
        document.Paths["/v1/chat/completions"] = Path(HttpMethod.Post, Operation(
            "createChatCompletion", "Chat completion (OpenAI shape), translated to and from the Responses API.",
            "stream: true answers text/event-stream of chat.completion.chunk ending data: [DONE]; otherwise one chat.completion.",
            error, secured, requestBody: true, streams: true, limited: true));
        document.Paths["/v1/responses"] = Path(HttpMethod.Post, Operation(
            "createResponse", "Responses request relayed to OpenRouter; the stream is relayed unchanged.",
            "stream: true answers text/event-stream of Responses events; otherwise the upstream JSON.",
            error, secured, requestBody: true, streams: true, limited: true));
        document.Paths["/v1/models"] = Path(HttpMethod.Get, Operation(
            "listModels", "OpenAI list of OpenRouter models (cached; last good copy when the upstream fails).",
            null, error, secured, requestBody: false, streams: false, limited: false));
        document.Paths["/metrics"] = Path(HttpMethod.Get, Plain(
            "getMetrics", "Prometheus text exposition.", "text/plain", error, secured));
        document.Paths["/openapi/v1.json"] = Path(HttpMethod.Get, Plain(
            "getOpenApi", "This document.", "application/json", error, secured));
        document.Paths["/healthz"] = Path(HttpMethod.Get, Plain("getHealth", "Liveness; always open.", "application/json", null, null));
        document.Paths["/readyz"] = Path(HttpMethod.Get, Plain(
            "getReadiness", "Readiness with a component list; 503 when artifact writes are not durable anywhere; always open.", "application/json", null, null));
        return Task.CompletedTask;
    }

    private static OpenApiPathItem Path(HttpMethod method, OpenApiOperation operation)
    {
        var item = new OpenApiPathItem();
        item.AddOperation(method, operation);
        return item;
    }

    private static OpenApiOperation Operation(
        string id, string summary, string? description, IOpenApiSchema error, List<OpenApiSecurityRequirement> security, bool requestBody, bool streams, bool limited)
    {
        var ok = new OpenApiResponse
        {
            Description = "Success.",
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
            },
        };
        if (streams)
        {
            ok.Content["text/event-stream"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        }

        var responses = new OpenApiResponses
        {
            ["200"] = ok,
            ["401"] = ErrorResponse("Missing or wrong inbound key (invalid_api_key), or OPENROUTER_API_KEY not configured (openrouter_api_key_missing).", error),
        };
        if (requestBody)
        {
            responses["400"] = ErrorResponse("Invalid request body or field (code = the field name).", error);
            responses["413"] = ErrorResponse("Body over MAX_REQUEST_BODY_MB (request_too_large).", error);
            responses["502"] = ErrorResponse("OpenRouter unreachable (upstream_unreachable).", error);
            responses["504"] = ErrorResponse("No upstream response headers within the idle timeout (upstream_timeout).", error);
        }

        if (limited)
        {
            responses["429"] = ErrorResponse("Over a tenant limit (rate_limited); Retry-After set.", error, retryAfter: true);
            responses["503"] = ErrorResponse("Over MAX_CONCURRENT_REQUESTS (overloaded); Retry-After set.", error, retryAfter: true);
        }
        else
        {
            responses["503"] = ErrorResponse("Model catalog unavailable (catalog_unavailable).", error);
        }

        responses["default"] = ErrorResponse("Upstream 4xx/5xx passed on with the same status (upstream_error, the upstream code verbatim).", error);
        var operation = new OpenApiOperation
        {
            OperationId = id,
            Summary = summary,
            Description = description,
            Responses = responses,
            Security = security,
        };
        if (requestBody)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                },
            };
        }

        return operation;
    }

    private static OpenApiOperation Plain(string id, string summary, string mediaType, IOpenApiSchema? error, List<OpenApiSecurityRequirement>? security)
    {
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = "Success.",
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [mediaType] = new() },
            },
        };
        if (error is not null)
        {
            responses["401"] = ErrorResponse("Missing or wrong inbound key (invalid_api_key).", error);
        }

        return new OpenApiOperation { OperationId = id, Summary = summary, Responses = responses, Security = security ?? [] };
    }

    private static OpenApiResponse ErrorResponse(string description, IOpenApiSchema error, bool retryAfter = false)
    {
        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = error } },
        };
        if (retryAfter)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
        }

        return response;
    }

    /// <summary><c>{"error":{"message","type","param","code"}}</c> (DESIGN.md section 2, "Errors").</summary>
    private static OpenApiSchema ErrorShape()
    {
        var detail = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string>(StringComparer.Ordinal) { "message", "type", "code" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "invalid_request_error, authentication_error, configuration_error, rate_limit_error or upstream_error." },
                ["param"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Integer | JsonSchemaType.Null, Description = "A code word, or the upstream code verbatim (number or string)." },
            },
        };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string>(StringComparer.Ordinal) { "error" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal) { ["error"] = detail },
            Examples = [JsonNode.Parse("""{"error":{"message":"Missing or invalid API key.","type":"authentication_error","param":null,"code":"invalid_api_key"}}""")!],
        };
    }
}
