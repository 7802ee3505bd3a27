using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

/// <summary>Operations features in the native AOT binary that the test command publishes (<c>AOTPIPE_BINARY</c>).</summary>
[Collection(TimingCollection.Name)]
public sealed class PublishedOperationsTests
{
    private static string? Binary => Environment.GetEnvironmentVariable("AOTPIPE_BINARY") is { Length: > 0 } path && File.Exists(path) ? path : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(int port, string baseUrl, string keys)
    {
        var start = new ProcessStartInfo(Binary!, ["serve", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OPENROUTER_API_BASE_URL"] = baseUrl;
        start.Environment["OPENROUTER_API_KEY"] = "sk-or-v1-native-test";
        start.Environment["AOTPIPE_API_KEYS"] = keys;
        return Process.Start(start)!;
    }

    [Fact]
    public async Task NativeBinary_ServesOpenApiAndMetrics_BehindKeys()
    {
        Prerequisite.Require(Binary is not null, "AOTPIPE_BINARY (the published native binary; ./build.sh test sets it)");
        await using var mock = await MockOpenRouter.StartAsync();
        var port = FreePort();
        using var process = Start(port, mock.BaseUrl, Keys);
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

            using var anonymous = await client.SendAsync(Get("/openapi/v1.json", null));
            using var document = await client.SendAsync(Get("/openapi/v1.json", BetaKey));
            using var metrics = await client.SendAsync(Get("/metrics", AlphaKey));
            var text = await metrics.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);
            OpenApiDocumentTests.AssertComplete(await document.Content.ReadAsStringAsync());
            Assert.Contains("aotpipe_auth_failures_total 1\n", text, StringComparison.Ordinal);
            Assert.Contains("aotpipe_requests_total{route=\"/openapi/{documentName}.json\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task NativeBinary_DuplicateKeyNames_Exit2NamingSetting()
    {
        Prerequisite.Require(Binary is not null, "AOTPIPE_BINARY (the published native binary; ./build.sh test sets it)");
        using var process = Start(FreePort(), "http://127.0.0.1:9", "team:sk-one,team:sk-two");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stderr + await stdout;

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("AOTPIPE_API_KEYS", output, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-one", output, StringComparison.Ordinal);
    }
}
