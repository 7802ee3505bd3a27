using System.Net;
using System.Text;
using System.Text.Json;
using AotPipe.SessionLogs;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using AotPipe.Tests.SessionLogs;
using Xunit;

namespace AotPipe.IntegrationTests.SessionLogs;

/// <summary>Session-log archives written by the running gateway, checked with 7-Zip.</summary>
public sealed class SessionLogArchiveTests : IAsyncLifetime
{
    private const string Password = "zip-password-for-tests";
    private const int RequestCount = 200;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aotpipe-session-logs-" + Guid.NewGuid().ToString("N"));
    private MockOpenRouter _mock = null!;
    private GatewayHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenRouter.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(
            _mock,
            ("SESSION_LOG_STORE_ENABLED", "true"),
            ("SESSION_LOG_DIR", _directory),
            ("SESSION_LOG_ZIP_PASSWORD", Password),
            ("MAX_CONCURRENT_REQUESTS", "1000")));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mock.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static HttpRequestMessage Chat(int i, string content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                """{"model":"mock/stream-text-basic","stream":true,"messages":[{"role":"user","content":""" + content + "}]}",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("X-OpenWebUI-User-Id", "user-" + i);
        request.Headers.Add("X-OpenWebUI-Chat-Id", "chat-" + i);
        request.Headers.Add("X-OpenWebUI-Message-Id", "message-" + i);
        return request;
    }

    private string ArchivePath(int i) => Path.Combine(_directory, "user-" + i, "chat-" + i, "message-" + i + ".zip");

    private static string ExtractWith7Zip(string archive, string entry)
    {
        var (code, output) = SevenZip.Run("e", "-so", "-p" + Password, archive, entry);
        Assert.True(code == 0, output);
        return output;
    }

    private static List<JsonElement> Lines(string jsonl) =>
        jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();

    [Fact]
    public async Task ConcurrentChats_EachRequestGetsItsOwnArchiveWithItsEvents()
    {
        SevenZip.RequirePath();
        using var client = _gateway.CreateClient();
        var cancellation = TestContext.Current.CancellationToken;

        var responses = await Task.WhenAll(Enumerable.Range(0, RequestCount).Select(async i =>
        {
            using var request = Chat(i, JsonSerializer.Serialize("question number " + i + " please"));
            using var response = await client.SendAsync(request, cancellation);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(cancellation));
        }));
        await _gateway.StopAsync();

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.EndsWith("data: [DONE]\n\n", r.Body, StringComparison.Ordinal);
        });
        Assert.Equal(RequestCount, Directory.GetFiles(_directory, "*.zip", SearchOption.AllDirectories).Length);
        for (int i = 0; i < RequestCount; i++)
        {
            string archive = ArchivePath(i);
            Assert.True(File.Exists(archive), archive);
            using var meta = JsonDocument.Parse(ExtractWith7Zip(archive, SessionLogArchiveWriter.MetaEntryName));
            var ids = meta.RootElement.GetProperty("ids");
            Assert.Equal("user-" + i, ids.GetProperty("user_id").GetString());
            Assert.Equal("chat-" + i, ids.GetProperty("chat_id").GetString());
            Assert.Equal("message-" + i, ids.GetProperty("message_id").GetString());
            string requestId = meta.RootElement.GetProperty("request_id").GetString()!;

            var lines = Lines(ExtractWith7Zip(archive, SessionLogArchiveWriter.JsonlEntryName));
            Assert.All(lines, line =>
            {
                Assert.Equal(requestId, line.GetProperty("request_id").GetString());
                Assert.Equal("user-" + i, line.GetProperty("user_id").GetString());
            });
            var payload = Assert.Single(lines, line => line.GetProperty("func").GetString() == "UpstreamRequestPayload");
            Assert.Contains("question number " + i + " please", payload.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("DEBUG", payload.GetProperty("level").GetString());
            Assert.Contains(lines, line => line.GetProperty("func").GetString() == "UpstreamEvent"
                && line.GetProperty("message").GetString()!.StartsWith("Upstream event response.completed", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.GetProperty("message").GetString()!.Contains(".delta:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task DataUrlImage_ArchivedPayloadIsRedacted()
    {
        SevenZip.RequirePath();
        byte[] png = new byte[600];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        Random.Shared.NextBytes(png.AsSpan(8));
        // '+' would reach the upstream JSON as \u002B; a payload without it keeps the assertions exact.
        string base64 = Convert.ToBase64String(png).Replace('+', 'a');
        string content = """[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"data:image/png;base64,""" + base64 + "\"}}]";
        using var client = _gateway.CreateClient();
        using var request = Chat(7, content);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        string sse = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        await _gateway.StopAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(_mock.RequestsTo("/responses"), r => Encoding.UTF8.GetString(r.Body).Contains(base64, StringComparison.Ordinal));
        string jsonl = ExtractWith7Zip(ArchivePath(7), SessionLogArchiveWriter.JsonlEntryName);
        var payload = Assert.Single(Lines(jsonl), line => line.GetProperty("func").GetString() == "UpstreamRequestPayload").GetProperty("message").GetString()!;
        Assert.Contains("data:image/png;base64," + base64[..64] + "…[REDACTED](" + base64.Length + " chars)…", payload, StringComparison.Ordinal);
        Assert.DoesNotContain(base64[64..128], jsonl, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", sse, StringComparison.Ordinal);
    }
}
