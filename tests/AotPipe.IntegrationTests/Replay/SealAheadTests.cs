using System.Text;
using AotPipe.Artifacts;
using AotPipe.Persistence;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AotPipe.IntegrationTests.Replay;

/// <summary>
/// A stored item is sealed as soon as it arrives, not at the end of the stream (perf-reports/persistence.md, "Sealing
/// ahead"), and sealing ahead stores nothing: only a completed response is persisted (DESIGN.md section 6).
/// </summary>
public sealed class SealAheadTests : IAsyncLifetime
{
    // A reasoning item first, then 100 text deltas 50 ms apart: about five seconds of answer after the item.
    private const string Model = "mock/gen-100-50-r";
    private const string ArtifactKey = "seal-ahead-test-key-0123456789abcdef";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    // Well inside the five seconds of answer: a seal that waits for the end of the stream cannot make it.
    private static readonly TimeSpan s_sealWait = TimeSpan.FromSeconds(2);

    private MockOpenRouter _mock = null!;
    private GatewayHost _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenRouter.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(_mock, ("ARTIFACT_ENCRYPTION_KEY", ArtifactKey)));
        using var client = _gateway.CreateClient();
        for (var i = 0; i < 200 && !(await client.GetAsync("/readyz", Ct)).IsSuccessStatusCode; i++)
        {
            await Task.Delay(25, Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mock.DisposeAsync();
    }

    private ArtifactSealer Sealer => _gateway.Services.GetRequiredService<ArtifactSealer>();

    private IArtifactStore Store => _gateway.Services.GetRequiredService<IArtifactStore>();

    private async Task<(HttpClient Client, HttpResponseMessage Response, StreamReader Reader)> StartChatAsync()
    {
        var client = _gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{Model}}","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-OpenWebUI-User-Id", "alice");
        request.Headers.Add("X-OpenWebUI-Chat-Id", "chat-" + Guid.NewGuid().ToString("N"));
        request.Headers.Add("X-OpenWebUI-Message-Id", "msg-1");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        return (client, response, reader);
    }

    /// <summary>Reads data lines until one contains <paramref name="text"/>; returns everything read.</summary>
    private static async Task<string> ReadUntilAsync(StreamReader reader, string text)
    {
        var read = new StringBuilder();
        while (await reader.ReadLineAsync(Ct).AsTask().WaitAsync(s_wait, Ct) is { } line)
        {
            read.Append(line).Append('\n');
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return read.ToString();
            }
        }

        throw new Xunit.Sdk.XunitException($"the stream ended without '{text}'");
    }

    private async Task WaitForSealsAsync(long count)
    {
        var deadline = DateTime.UtcNow + s_sealWait;
        while (Sealer.SealCount < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, Ct);
        }

        Assert.Equal(count, Sealer.SealCount);
    }

    [Fact]
    public async Task StoredItem_SealedWhileTheAnswerStillStreams_NotSealedAgainAtTheEnd()
    {
        var (client, response, reader) = await StartChatAsync();
        using (client)
        using (response)
        using (reader)
        {
            await ReadUntilAsync(reader, "token 000000");
            await WaitForSealsAsync(1);

            // Still mid-answer after the seal: the next lines are more text, not the end of the stream.
            var next = await ReadUntilAsync(reader, "token 000");
            Assert.DoesNotContain("[DONE]", next, StringComparison.Ordinal);

            var rest = await reader.ReadToEndAsync(Ct);
            Assert.Contains("data: [DONE]", rest, StringComparison.Ordinal);
            var id = Assert.Single(System.Text.RegularExpressions.Regex.Matches(rest, @"\[([0-9A-HJKMNP-TV-Z]{20})\]: #")).Groups[1].Value;

            // Stored under the id chosen when it was sealed, and sealed once.
            Assert.Equal(1, Sealer.SealCount);
            var row = Assert.Single(await Store.ScanAsync(null, 10, Ct));
            Assert.Equal(id, row.Id);
            Assert.True(row.IsEncrypted);
        }
    }

    [Fact]
    public async Task ClientGoneAfterTheItemWasSealed_NothingStored()
    {
        var (client, response, reader) = await StartChatAsync();
        using (client)
        {
            await ReadUntilAsync(reader, "token 000000");
            await WaitForSealsAsync(1);
            reader.Dispose();
            response.Dispose();
        }

        // The upstream request is cancelled once the gateway notices the client is gone; watch past the stream's natural end.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        while (DateTime.UtcNow < deadline)
        {
            Assert.Empty(await Store.ScanAsync(null, 10, Ct));
            await Task.Delay(100, Ct);
        }
    }
}
