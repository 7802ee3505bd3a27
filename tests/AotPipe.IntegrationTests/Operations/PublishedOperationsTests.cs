using System.Net;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

/// <summary>Operations features in the native AOT binary that the test command publishes (<c>AOTPIPE_BINARY</c>).</summary>
[Collection(TimingCollection.Name)]
public sealed class PublishedOperationsTests
{
    private static Dictionary<string, string> GatewayEnvironment(string baseUrl, string keys) => new()
    {
        ["OPENROUTER_API_BASE_URL"] = baseUrl,
        ["OPENROUTER_API_KEY"] = "sk-or-v1-native-test",
        ["AOTPIPE_API_KEYS"] = keys,
    };

    [Fact]
    public async Task NativeBinary_ServesOpenApiAndMetrics_BehindKeys()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await NativeGateway.StartAsync(GatewayEnvironment(mock.BaseUrl, Keys));
        var client = gateway.Client;

        using var anonymous = await client.SendAsync(Get("/openapi/v1.json", null));
        using var document = await client.SendAsync(Get("/openapi/v1.json", BetaKey));
        using var metrics = await client.SendAsync(Get("/metrics", AlphaKey));
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        OpenApiDocumentTests.AssertComplete(await document.Content.ReadAsStringAsync());
        Assert.Contains("aotpipe_auth_failures_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_requests_total{route=\"/openapi/v1.json\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeBinary_DuplicateKeyNames_Exit2NamingSetting()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        var (exitCode, output) = await NativeGateway.RunToExitAsync(GatewayEnvironment("http://127.0.0.1:9", "team:sk-one,team:sk-two"), TimeSpan.FromSeconds(20));

        Assert.Equal(2, exitCode);
        Assert.Contains("AOTPIPE_API_KEYS", output, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-one", output, StringComparison.Ordinal);
    }
}
