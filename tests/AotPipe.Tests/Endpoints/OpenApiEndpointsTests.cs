using System.Text;
using System.Text.Json;
using AotPipe.Endpoints;
using AotPipe.OpenApiDocGen;
using AotPipe.TestKit;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AotPipe.Tests.Endpoints;

public sealed class OpenApiEndpointsTests
{

    private static string ServerUrl(byte[] document)
    {
        using var json = JsonDocument.Parse(document);
        return Assert.Single(json.RootElement.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString()!;
    }

    [Fact]
    public async Task CommittedDocument_IsWhatTheGeneratorRenders()
    {
        var committed = await File.ReadAllTextAsync(Repository.PathOf("src", "AotPipe", "Endpoints", "openapi-v1.json"), TestContext.Current.CancellationToken);

        // On failure regenerate with: dotnet run --project tools/OpenApiDocGen
        Assert.Equal(await OpenApiDocumentRenderer.RenderAsync(OpenApiDocumentRenderer.PlaceholderHost, TestContext.Current.CancellationToken), committed);
    }

    [Fact]
    public void Placeholder_IsTheGeneratorsServerUrlForThePlaceholderHost() =>
        Assert.Equal("http://" + OpenApiDocumentRenderer.PlaceholderHost + "/", OpenApiEndpoints.PlaceholderServer);

    [Theory]
    [InlineData("127.0.0.1:8080")]
    [InlineData("localhost")]
    [InlineData("gateway.example.com:8443")]
    [InlineData("[::1]:9000")]
    public async Task Render_IsByteForByteWhatTheGeneratorServesToThatHost(string host)
    {
        var expected = await OpenApiDocumentRenderer.RenderAsync(host, TestContext.Current.CancellationToken);

        var served = OpenApiEndpoints.Render("http", new HostString(host), PathString.Empty);

        Assert.Equal(expected, Encoding.UTF8.GetString(served));
    }

    [Theory]
    [InlineData("https", "gateway.example.com", "", "https://gateway.example.com/")]
    [InlineData("https", "gateway.example.com", "/ai", "https://gateway.example.com/ai")]
    [InlineData("http", "", "", "http:///")]
    public void Render_ServerUrl_FollowsSchemeHostAndPathBase(string scheme, string host, string pathBase, string expected) =>
        Assert.Equal(expected, ServerUrl(OpenApiEndpoints.Render(scheme, new HostString(host), new PathString(pathBase.Length == 0 ? null : pathBase))));

    [Fact]
    public void Render_HostNeedingJsonEscapes_StaysValidJson()
    {
        var served = OpenApiEndpoints.Render("http", new HostString("a\"b\\c"), PathString.Empty);

        Assert.Equal("http://a\"b\\c/", ServerUrl(served));
    }

    [Fact]
    public void Render_LeavesNoPlaceholderBehind()
    {
        var served = Encoding.UTF8.GetString(OpenApiEndpoints.Render("http", new HostString("127.0.0.1:1"), PathString.Empty));

        Assert.DoesNotContain(OpenApiDocumentRenderer.PlaceholderHost, served, StringComparison.Ordinal);
    }
}
