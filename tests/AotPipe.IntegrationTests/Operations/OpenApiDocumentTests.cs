using System.Net;
using System.Text.Json;
using AotPipe.OpenApiDocGen;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

public sealed class OpenApiDocumentTests
{
    /// <summary>Checks the document describes every route, the error shape and the bearer scheme.</summary>
    internal static void AssertComplete(string document)
    {
        using var json = JsonDocument.Parse(document);
        var root = json.RootElement;
        var paths = root.GetProperty("paths");
        foreach (var (path, method) in new[]
        {
            ("/v1/chat/completions", "post"), ("/v1/responses", "post"), ("/v1/models", "get"), ("/metrics", "get"),
            ("/openapi/v1.json", "get"), ("/healthz", "get"), ("/readyz", "get"),
        })
        {
            Assert.True(paths.GetProperty(path).TryGetProperty(method, out var operation), path + " " + method);
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()));
        }

        var error = root.GetProperty("components").GetProperty("schemas").GetProperty("Error");
        var detail = error.GetProperty("properties").GetProperty("error").GetProperty("properties");
        Assert.True(detail.TryGetProperty("message", out _));
        Assert.True(detail.TryGetProperty("code", out _));
        Assert.Equal(
            "#/components/schemas/Error",
            paths.GetProperty("/v1/chat/completions").GetProperty("post").GetProperty("responses").GetProperty("429")
                .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("bearer", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Document_DescribesEveryRouteAndErrorShape()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        using var response = await client.SendAsync(Get("/openapi/v1.json", AlphaKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertComplete(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Document_IsWhatTheGeneratorServesForThisHost()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        using var response = await client.SendAsync(Get("/openapi/v1.json", AlphaKey));
        var served = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(served.Length, response.Content.Headers.ContentLength);
        Assert.Equal(await OpenApiDocumentRenderer.RenderAsync(client.BaseAddress!.Authority), served);
    }

    [Fact]
    public async Task OtherDocumentName_IsNotFound()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        using var response = await client.SendAsync(Get("/openapi/v2.json", AlphaKey));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
