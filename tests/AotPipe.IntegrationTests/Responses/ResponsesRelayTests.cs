using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Responses;

public sealed class ResponsesRelayTests : IAsyncLifetime
{
    private MockOpenRouter _mock = null!;
    private GatewayHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenRouter.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(_mock, ("HTTP_REFERER_OVERRIDE", "https://example.test/app")));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mock.DisposeAsync();
    }

    internal static StringContent Body(string model, bool stream = true, string extra = "") =>
        new($$"""{"model":"{{model}}","input":"hi","stream":{{(stream ? "true" : "false")}}{{extra}}}""", Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("stream-text-basic", null)]
    [InlineData("stream-crlf-processing-comments", null)]
    [InlineData("stream-reasoning-summary", 7)]
    [InlineData("stream-function-call", 11)]
    [InlineData("stream-reasoning-text-anthropic", 3)]
    public async Task Stream_RelaysFixtureBytesUnchanged(string fixture, int? chunkSeed)
    {
        _mock.Behavior.ChunkSeed = chunkSeed;
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("mock/" + fixture));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Fixtures.Bytes($"responses/{fixture}.sse"), bytes);
    }

    [Fact]
    public async Task Stream_FailedMidstream_RelaysUpstreamFailureAsIs()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("mock/stream-failed-midstream"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(Fixtures.Bytes("responses/stream-failed-midstream.sse"), bytes);
    }

    [Fact]
    public async Task NonStream_RelaysJson()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("openai/gpt-5.2", stream: false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Fixtures.Bytes("responses/response-nonstream.json"), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Upstream_ReceivesKeyTitleRefererAndBody()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"));
        await response.Content.ReadAsByteArrayAsync();

        var request = Assert.Single(_mock.RequestsTo("/responses"));
        Assert.Equal("Bearer sk-or-v1-test-0123456789abcdef", request.Headers["Authorization"]);
        Assert.Equal("AotPipe", request.Headers["X-OpenRouter-Title"]);
        Assert.Equal("https://example.test/app", request.Headers["HTTP-Referer"]);
        Assert.False(request.Headers.ContainsKey("X-Title"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("mock/stream-text-basic", body.RootElement.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData(429, "8")]
    [InlineData(503, "20")]
    [InlineData(402, null)]
    [InlineData(400, null)]
    public async Task UpstreamError_KeepsStatusRetryAfterAndCode_DropsInternals(int status, string? retryAfter)
    {
        _mock.Behavior.FailWithStatus = status;
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.ToString());
        using var json = JsonDocument.Parse(text);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("upstream_error", error.GetProperty("type").GetString());
        Assert.StartsWith("OpenRouter: ", error.GetProperty("message").GetString());
        Assert.True(error.TryGetProperty("code", out _));
        Assert.DoesNotContain("user_id", text);
        Assert.DoesNotContain("\"raw\"", text);
    }

    [Fact]
    public async Task UpstreamError_StringCode_PassedVerbatim()
    {
        // 400-responses-skin-string-code.json is the second 400 body; serve it through a dedicated mock file lookup.
        var body = Fixtures.Bytes("errors/400-responses-skin-string-code.json");
        var parsed = AotPipe.Errors.UpstreamErrorBody.Parse(body);

        Assert.NotNull(parsed.CodeText);
        Assert.Null(parsed.CodeNumber);
    }

    [Fact]
    public async Task InvalidJson_400WithOpenAiShape()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", new StringContent("{not json", Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Empty(_mock.Requests);
    }

    [Theory]
    [InlineData("""{"model":5,"input":"x"}""", "model")]
    [InlineData("""{"model":"m","input":5}""", "input")]
    [InlineData("""{"model":"m","stream":"yes"}""", "stream")]
    [InlineData("""{"input":"x"}""", "model")]
    [InlineData("""[1,2]""", "body")]
    public async Task InvalidField_400NamesTheField(string body, string param)
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
