using System.Net;
using System.Text.Json;
using AotPipe.Configuration;
using AotPipe.Hosting;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

public sealed class InboundAuthTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("sk-wrong")]
    [InlineData(AlphaKey + "x")]
    public async Task MissingOrWrongKey_401InvalidApiKey_NothingSentUpstream(string? key)
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        using var response = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), key));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("authentication_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(mock.Requests);
    }

    [Theory]
    [InlineData(AlphaKey)]
    [InlineData(BetaKey)]
    public async Task RightPlainOrHashedKey_Accepted(string key)
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        using var response = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(mock.Requests);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/v1/models")]
    public async Task ProtectedGetRoutes_NeedKey(string path)
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        using var without = await client.SendAsync(Get(path, null));
        using var with = await client.SendAsync(Get(path, AlphaKey));

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Probes_OpenWithKeysConfigured(string path)
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task NoKeysConfigured_OpenOnLoopback()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock));
        using var client = gateway.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task DuplicateNames_StartupRefused_NamingSetting()
    {
        await using var mock = await MockOpenRouter.StartAsync();

        var error = await Assert.ThrowsAsync<SettingsException>(() => GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", "a:k1,a:k2"))));
        var checks = Assert.Throws<SettingsException>(() => StartupChecks.Run(GatewaySettings.Load(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", "a:k1,a:k2"))), "http://127.0.0.1:0"));

        Assert.Equal("AOTPIPE_API_KEYS", error.SettingName);
        Assert.Equal("AOTPIPE_API_KEYS", checks.SettingName);
        Assert.DoesNotContain("k1", error.Message, StringComparison.Ordinal);
    }
}
