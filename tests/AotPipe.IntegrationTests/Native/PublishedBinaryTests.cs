using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Native;

/// <summary>Runs the native AOT binary that the test command publishes (<c>AOTPIPE_BINARY</c>).</summary>
[Collection(TimingCollection.Name)]
public sealed class PublishedBinaryTests
{
    private static string? Binary => Environment.GetEnvironmentVariable("AOTPIPE_BINARY") is { Length: > 0 } path && File.Exists(path) ? path : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task NativeBinary_StreamsFixtureUnchanged()
    {
        Prerequisite.Require(Binary is not null, "AOTPIPE_BINARY (the published native binary; ./build.sh test sets it)");
        await using var mock = await MockOpenRouter.StartAsync();
        mock.Behavior.ChunkSeed = 42;
        var port = FreePort();
        var start = new ProcessStartInfo(Binary!, ["serve", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OPENROUTER_API_BASE_URL"] = mock.BaseUrl;
        start.Environment["OPENROUTER_API_KEY"] = "sk-or-v1-native-test";
        using var process = Process.Start(start)!;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var health = await client.GetAsync("/healthz");
                    if (health.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(20);
                }
            }

            using var response = await client.PostAsync("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-reasoning-summary"));
            var bytes = await response.Content.ReadAsByteArrayAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Fixtures.Bytes("responses/stream-reasoning-summary.sse"), bytes);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
