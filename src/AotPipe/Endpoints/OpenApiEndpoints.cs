using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Routing;

namespace AotPipe.Endpoints;

/// <summary><c>GET /openapi/v1.json</c>: the gateway's OpenAPI document.</summary>
/// <remarks>Microsoft.AspNetCore.OpenApi renders the document at build time (<c>tools/OpenApiDocGen</c> writes
/// <c>openapi-v1.json</c>, embedded here; a test fails when it is stale). Generating it at run time cost the native image
/// 1.8 MB and the idle process about 3.7 MB (perf-reports/footprint.md, "OpenAPI document rendered at build time")
/// for a document that only changes with the code. The one part the generator takes from the request, the
/// <c>servers</c> URL, is filled in the same way here.</remarks>
public static class OpenApiEndpoints
{
    /// <summary>The route, as the generator mapped it for the default document name.</summary>
    public const string Route = "/openapi/v1.json";

    /// <summary>The content type the generator answered with.</summary>
    public const string ContentType = "application/json;charset=utf-8";

    /// <summary>The server URL the committed document was rendered with; replaced by the request's base address.</summary>
    internal const string PlaceholderServer = "http://aotpipe.invalid/";

    internal const string ResourceName = "AotPipe.Endpoints.openapi-v1.json";

    /// <summary>Maps the route (auth applies when keys are configured).</summary>
    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, static (HttpContext context) => WriteAsync(context));
        return routes;
    }

    /// <summary>The document for a request with this scheme, host and path base.</summary>
    internal static byte[] Render(string scheme, HostString host, PathString pathBase)
    {
        var document = EmbeddedDocument.Instance;
        var server = ServerUrl(scheme, host, pathBase);
        var bytes = new byte[document.Head.Length + server.EncodedUtf8Bytes.Length + document.Tail.Length];
        document.Head.CopyTo(bytes, 0);
        server.EncodedUtf8Bytes.CopyTo(bytes.AsSpan(document.Head.Length));
        document.Tail.CopyTo(bytes, document.Head.Length + server.EncodedUtf8Bytes.Length);
        return bytes;
    }

    private static Task WriteAsync(HttpContext context)
    {
        var request = context.Request;
        var body = Render(request.Scheme, request.Host, request.PathBase);
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>The generator's server URL: scheme, host and path base, with a trailing slash when there is no path base.</summary>
    private static JsonEncodedText ServerUrl(string scheme, HostString host, PathString pathBase) =>
        JsonEncodedText.Encode(UriHelper.BuildAbsolute(scheme, host, pathBase));

    /// <summary>The embedded document split around its one placeholder; loaded on the first request, not at start-up.</summary>
    private sealed class EmbeddedDocument
    {
        public static readonly EmbeddedDocument Instance = Load();

        private EmbeddedDocument(byte[] head, byte[] tail)
        {
            Head = head;
            Tail = tail;
        }

        public byte[] Head { get; }

        public byte[] Tail { get; }

        private static EmbeddedDocument Load()
        {
            using var stream = typeof(OpenApiEndpoints).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var text = copy.ToArray().AsSpan();
            var placeholder = Encoding.UTF8.GetBytes(PlaceholderServer);
            var at = text.IndexOf(placeholder);
            if (at < 0 || text[(at + placeholder.Length)..].IndexOf(placeholder) >= 0)
            {
                throw new InvalidOperationException($"{ResourceName} must name {PlaceholderServer} exactly once; regenerate it with tools/OpenApiDocGen.");
            }

            return new EmbeddedDocument(text[..at].ToArray(), text[(at + placeholder.Length)..].ToArray());
        }
    }
}
