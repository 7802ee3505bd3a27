using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AotPipe.SessionLogs;
using AotPipe.TestKit;
using AotPipe.TestKit.Logging;
using AotPipe.TestKit.Mock;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AotPipe.IntegrationTests.SessionLogs;

/// <summary>At <c>LOG_LEVEL=DEBUG</c>, through successes and failures, no secret reaches a log line or an archive.</summary>
public sealed class SecretsInLogsTests : IAsyncLifetime
{
    private const string UpstreamKey = "sk-or-v1-secret-upstream-key-5f3a9c0d1e2b";
    private const string WebUiSecret = "webui-secret-key-7d1c4e9a2b6f";
    private const string ZipPassword = "zip-password-3e8b1f6a9c2d";
    private const string ArtifactKey = "artifact-key-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d";

    private static readonly string[] s_secrets = [UpstreamKey, WebUiSecret, ZipPassword, ArtifactKey];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aotpipe-secret-logs-" + Guid.NewGuid().ToString("N"));
    private readonly CollectingLoggerProvider _logs = new();
    private MockOpenRouter _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockOpenRouter.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _mock.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private Task<GatewayHost> StartGatewayAsync(string? upstreamKey) => GatewayHost.StartAsync(
        GatewayHost.EnvironmentFor(
            _mock,
            ("OPENROUTER_API_KEY", upstreamKey),
            ("LOG_LEVEL", "DEBUG"),
            ("WEBUI_SECRET_KEY", WebUiSecret),
            ("ARTIFACT_ENCRYPTION_KEY", ArtifactKey),
            ("SEND_SESSION_ID", "true"),
            ("SEND_CHAT_ID", "true"),
            ("SESSION_LOG_STORE_ENABLED", "true"),
            ("SESSION_LOG_DIR", _directory),
            ("SESSION_LOG_ZIP_PASSWORD", ZipPassword),
            ("SESSION_LOG_FORMAT", "both")),
        services => services.AddSingleton<ILoggerProvider>(_logs));

    private static HttpRequestMessage Post(string path, string body, string message)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        // Clients that wrongly forward secrets in headers must not leak them either.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", UpstreamKey);
        request.Headers.Add("X-OpenWebUI-User-Id", "user-secret-test");
        request.Headers.Add("X-OpenWebUI-Chat-Id", "chat-secret-test");
        request.Headers.Add("X-OpenWebUI-Session-Id", "session-secret-test");
        request.Headers.Add("X-OpenWebUI-Message-Id", message);
        request.Headers.Add("X-Api-Key", ZipPassword);
        return request;
    }

    private static string Chat(bool stream = true) =>
        """{"model":"mock/stream-reasoning-summary","reasoning_effort":"high","stream":""" + (stream ? "true" : "false") + ""","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task DebugLogsAndArchives_NeverContainSecrets()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var statuses = new List<HttpStatusCode>();
        await using (var gateway = await StartGatewayAsync(UpstreamKey))
        {
            using var client = gateway.CreateClient();
            async Task SendAsync(string path, string body, string message)
            {
                using var request = Post(path, body, message);
                using var response = await client.SendAsync(request, cancellation);
                await response.Content.ReadAsStringAsync(cancellation);
                statuses.Add(response.StatusCode);
            }

            await SendAsync("/v1/chat/completions", Chat(), "m-stream");
            await SendAsync("/v1/chat/completions", Chat(stream: false), "m-nonstream");
            await SendAsync("/v1/responses", """{"model":"mock/stream-function-call","stream":true,"input":"hi"}""", "m-responses");
            await SendAsync("/v1/chat/completions", "{not json", "m-invalid");
            _mock.Behavior.FailWithStatus = 429;
            await SendAsync("/v1/chat/completions", Chat(), "m-429");
            _mock.Behavior.FailWithStatus = null;
            await gateway.StopAsync();
        }

        await using (var keyless = await StartGatewayAsync(upstreamKey: null))
        {
            using var client = keyless.CreateClient();
            using var request = Post("/v1/chat/completions", Chat(), "m-401");
            using var response = await client.SendAsync(request, cancellation);
            statuses.Add(response.StatusCode);
            await keyless.StopAsync();
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests, HttpStatusCode.Unauthorized], statuses);

        string logText = _logs.AllText();
        var archives = Directory.GetFiles(_directory, "*.zip", SearchOption.AllDirectories);
        var archiveText = new StringBuilder();
        foreach (string archive in archives)
        {
            using var stream = File.OpenRead(archive);
            foreach (var (_, content) in SessionLogArchiveWriter.ReadEntries(stream, ZipPassword))
            {
                archiveText.Append(Encoding.UTF8.GetString(content)).Append('\n');
            }

            archiveText.Append(Encoding.UTF8.GetString(File.ReadAllBytes(archive)));
        }

        // The checks below can fail: debug events with headers and payloads were written to both places.
        Assert.Equal(6, archives.Length);
        string fingerprint = "Bearer " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(UpstreamKey)))[..8];
        Assert.Contains(fingerprint, logText, StringComparison.Ordinal);
        Assert.Contains(fingerprint, archiveText.ToString(), StringComparison.Ordinal);
        Assert.Contains("Upstream request payload:", logText, StringComparison.Ordinal);
        Assert.Contains("Upstream event response.completed", archiveText.ToString(), StringComparison.Ordinal);
        Assert.Contains("openrouter_api_key_missing", archiveText.ToString(), StringComparison.Ordinal);
        Assert.Contains("InvalidRequest -> HTTP 400", archiveText.ToString(), StringComparison.Ordinal);
        foreach (string secret in s_secrets)
        {
            Assert.DoesNotContain(secret, logText, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, archiveText.ToString(), StringComparison.Ordinal);
        }
    }
}
