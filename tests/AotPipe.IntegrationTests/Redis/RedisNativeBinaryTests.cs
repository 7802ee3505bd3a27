using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Redis;

/// <summary>The Redis read cache inside the native AOT binary (<c>AOTPIPE_BINARY</c>): client, source-generated JSON
/// and metrics work without reflection.</summary>
[Collection(TimingCollection.Name)]
public sealed class RedisNativeBinaryTests
{
    private static string? Binary => Environment.GetEnvironmentVariable("AOTPIPE_BINARY") is { Length: > 0 } path && File.Exists(path) ? path : null;

    [Fact]
    public async Task NativeBinary_ReplayServedFromRedis()
    {
        Prerequisite.Require(Binary is not null, "AOTPIPE_BINARY (the published native binary; ./build.sh test sets it)");
        await using var redis = await RedisServer.StartAsync();
        await using var mock = await MockOpenRouter.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("aotpipe-redis-native-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo(Binary!, ["serve", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OPENROUTER_API_BASE_URL"] = mock.BaseUrl;
        start.Environment["OPENROUTER_API_KEY"] = "sk-or-v1-native-test";
        start.Environment["ARTIFACT_ENCRYPTION_KEY"] = "artifact-key-for-tests-0123456789abcdef";
        start.Environment["AOTPIPE_DATA_DIR"] = dataDir;
        start.Environment["REDIS_URL"] = redis.Url;
        using var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var health = await client.GetAsync("/readyz");
                    if (health.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(10))
                {
                }

                await Task.Delay(20);
            }

            var chat = "chat-" + Guid.NewGuid().ToString("N");
            var first = Chat.ChatCompletionsTests_Helpers.Content(await ChatAsync(client, chat, "[{\"role\":\"user\",\"content\":\"hi\"}]"));
            Assert.Contains("]: #", first);
            var sse = await ChatAsync(client, chat, "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":" + JsonValue.Create(first)!.ToJsonString() + "},{\"role\":\"user\",\"content\":\"and then?\"}]");

            Assert.EndsWith("data: [DONE]\n\n", sse);
            var input = JsonNode.Parse(mock.RequestsTo("/responses")[^1].Body)!["input"]!.AsArray();
            Assert.Contains(input, n => n!["type"]?.GetValue<string>() == "reasoning");
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Matches(@"aotpipe_artifact_cache_hits_total [1-9]", metrics);
            Assert.Contains("aotpipe_artifact_cache_errors_total 0", metrics);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<string> ChatAsync(HttpClient client, string chat, string messagesJson)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"mock/stream-reasoning-summary","stream":true,"reasoning_effort":"medium","messages":{{messagesJson}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-OpenWebUI-User-Id", "alice");
        request.Headers.Add("X-OpenWebUI-Message-Id", "msg-" + Guid.NewGuid().ToString("N")[..8]);
        request.Headers.Add("X-OpenWebUI-Chat-Id", chat);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
