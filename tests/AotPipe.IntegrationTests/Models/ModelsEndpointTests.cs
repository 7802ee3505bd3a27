using System.Net;
using System.Text.Json;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Models;

public sealed class ModelsEndpointTests
{
    [Fact]
    public async Task Models_FetchedOnFirstUse_InOpenAiListShape_WithExtraFieldsKept()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock));
        Assert.Empty(mock.Requests);
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync("/v1/models");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", json.RootElement.GetProperty("object").GetString());
        var models = json.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(5, models.Count);
        var gpt = models.Single(m => m.GetProperty("id").GetString() == "openai/gpt-5.2");
        Assert.Equal("model", gpt.GetProperty("object").GetString());
        Assert.Equal("openai", gpt.GetProperty("owned_by").GetString());
        Assert.True(gpt.TryGetProperty("pricing", out _));
        Assert.True(gpt.TryGetProperty("supported_parameters", out _));

        using var again = await client.GetAsync("/v1/models");
        Assert.Single(mock.RequestsTo("/models"));
    }

    [Fact]
    public async Task Models_FirstFetchFails_503()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        mock.Behavior.FailWithStatus = 502;
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock));
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync("/v1/models");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("catalog_unavailable", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public void Conversion_KeepsEveryModelAndField()
    {
        var list = AotPipe.Catalog.ModelCatalog.ToOpenAiList(Fixtures.Bytes("models.json"));
        using var json = JsonDocument.Parse(list!);
        using var upstream = JsonDocument.Parse(Fixtures.Bytes("models.json"));

        var converted = json.RootElement.GetProperty("data").EnumerateArray().ToList();
        var original = upstream.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(original.Count, converted.Count);
        for (var i = 0; i < original.Count; i++)
        {
            foreach (var property in original[i].EnumerateObject())
            {
                Assert.Equal(property.Value.GetRawText(), converted[i].GetProperty(property.Name).GetRawText());
            }
        }
    }
}
