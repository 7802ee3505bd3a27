using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.OpenApiDocGen;

/// <summary>
/// Renders the gateway's OpenAPI document with Microsoft.AspNetCore.OpenApi, exactly as a request for
/// <c>/openapi/v1.json</c> would have been answered by the generator at run time.
/// </summary>
/// <remarks>The generator fills <c>servers</c> from the request (scheme, host and path base), so the rendering is taken
/// over a real loopback request whose Host header the caller chooses. The committed document is rendered for
/// <see cref="PlaceholderHost"/>, which the gateway swaps for the asking request's own base address.</remarks>
public static class OpenApiDocumentRenderer
{
    /// <summary>The Host the committed document is rendered for (<c>.invalid</c> can never name a real server).</summary>
    public const string PlaceholderHost = "aotpipe.invalid";

    /// <summary>The document Microsoft.AspNetCore.OpenApi serves to a plain-HTTP request with the given Host header.</summary>
    public static async Task<string> RenderAsync(string host, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer(new OpenApiDescription()));
        await using var app = builder.Build();
        app.MapOpenApi();
        await app.StartAsync(cancellationToken);
        try
        {
            using var client = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(app.Urls.First()), "/openapi/v1.json"));
            request.Headers.Host = host;
            using var response = await client.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
