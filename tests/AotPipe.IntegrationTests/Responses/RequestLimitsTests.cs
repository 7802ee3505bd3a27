using System.Net;
using System.Text;
using System.Text.Json;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Responses;

public sealed class RequestLimitsTests
{
    [Fact]
    public async Task BodyAtLimit_Accepted_OnePast_413()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        // 0.001 MiB = 1048 bytes.
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("MAX_REQUEST_BODY_MB", "0.001")));
        using var client = gateway.CreateClient();
        const int Limit = 1048;
        string Make(int size)
        {
            var prefix = """{"model":"mock/stream-text-basic","stream":false,"input":" """.TrimEnd();
            return prefix + new string('x', size - prefix.Length - 2) + "\"}";
        }

        using var atLimit = await client.PostAsync("/v1/responses", new StringContent(Make(Limit), Encoding.UTF8, "application/json"));
        using var pastLimit = await client.PostAsync("/v1/responses", new StringContent(Make(Limit + 1), Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await pastLimit.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, pastLimit.StatusCode);
        Assert.Equal("request_too_large", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task MissingUpstreamKey_401ConfigurationError()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("OPENROUTER_API_KEY", null)));
        using var client = gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", ResponsesRelayTests.Body("m"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("configuration_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("openrouter_api_key_missing", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(mock.Requests);
    }

    [Fact]
    public async Task Health_And_Ready_Answer200()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock));
        using var client = gateway.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }
}
