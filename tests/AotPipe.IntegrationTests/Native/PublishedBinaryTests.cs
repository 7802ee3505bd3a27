using System.Net;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Native;

/// <summary>Runs the native AOT binary that the test command publishes (<c>AOTPIPE_BINARY</c>).</summary>
[Collection(TimingCollection.Name)]
public sealed class PublishedBinaryTests
{
    [Fact]
    public async Task NativeBinary_StreamsFixtureUnchanged()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        await using var mock = await MockOpenRouter.StartAsync();
        mock.Behavior.ChunkSeed = 42;
        await using var gateway = await NativeGateway.StartAsync(new Dictionary<string, string>
        {
            ["OPENROUTER_API_BASE_URL"] = mock.BaseUrl,
            ["OPENROUTER_API_KEY"] = "sk-or-v1-native-test",
        });

        using var response = await gateway.Client.PostAsync("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-reasoning-summary"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Fixtures.Bytes("responses/stream-reasoning-summary.sse"), bytes);
    }
}
