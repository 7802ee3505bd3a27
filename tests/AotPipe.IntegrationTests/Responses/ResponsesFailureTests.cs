using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Responses;

[Collection(TimingCollection.Name)]
public sealed class ResponsesFailureTests
{
    private static StringContent Body(string model, bool stream = true) => ResponsesRelayTests.Body(model, stream);

    private static List<JsonElement> DataEvents(string sse)
    {
        var list = new List<JsonElement>();
        foreach (var line in sse.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.StartsWith("data: {", StringComparison.Ordinal))
            {
                list.Add(JsonDocument.Parse(trimmed["data: ".Length..]).RootElement);
            }
        }

        return list;
    }

    private static async Task<(MockOpenRouter Mock, GatewayHost Gateway)> StartAsync(params (string, string?)[] overrides)
    {
        var mock = await MockOpenRouter.StartAsync();
        var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, overrides));
        return (mock, gateway);
    }

    [Fact]
    public async Task UpstreamResetMidStream_TerminalErrorEventThenDone()
    {
        var (mock, gateway) = await StartAsync();
        await using var _ = mock;
        await using var __ = gateway;
        mock.Behavior.ResetAfterEvents = 10;
        using var client = gateway.CreateClient();

        var text = await (await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"))).Content.ReadAsStringAsync();

        var events = DataEvents(text);
        Assert.True(events.Count > 1, text);
        var last = events[^1];
        Assert.Equal("error", last.GetProperty("type").GetString());
        Assert.Equal("upstream_reset", last.GetProperty("code").GetString());
        Assert.Equal("upstream_error", last.GetProperty("error").GetProperty("type").GetString());
        Assert.EndsWith("data: [DONE]\n\n", text);
    }

    [Fact]
    public async Task UpstreamEndsWithoutTerminalEvent_TruncationReported()
    {
        var (mock, gateway) = await StartAsync();
        await using var _ = mock;
        await using var __ = gateway;
        mock.Behavior.TruncateAfterEvents = 12;
        using var client = gateway.CreateClient();

        var text = await (await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"))).Content.ReadAsStringAsync();
        var events = DataEvents(text);

        Assert.Equal("upstream_truncated", events[^1].GetProperty("code").GetString());
        var previous = events[^2].GetProperty("sequence_number").GetInt64();
        Assert.Equal(previous + 1, events[^1].GetProperty("sequence_number").GetInt64());
        Assert.EndsWith("data: [DONE]\n\n", text);
    }

    [Fact]
    public async Task UpstreamStallsMidStream_IdleTimeoutEndsStreamInBand()
    {
        var (mock, gateway) = await StartAsync(("HTTP_SOCK_READ_SECONDS", "0.5"));
        await using var _ = mock;
        await using var __ = gateway;
        mock.Behavior.StallAfterEvents = 8;
        using var client = gateway.CreateClient();
        var watch = Stopwatch.StartNew();

        var text = await (await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"))).Content.ReadAsStringAsync();

        Assert.Equal("upstream_timeout", DataEvents(text)[^1].GetProperty("code").GetString());
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.4), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task UpstreamSendsNoHeadersWithinIdleTimeout_504()
    {
        var (mock, gateway) = await StartAsync(("HTTP_SOCK_READ_SECONDS", "0.3"));
        await using var _ = mock;
        await using var __ = gateway;
        mock.Behavior.HeadersDelay = TimeSpan.FromSeconds(5);
        using var client = gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_timeout", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task UpstreamUnreachable_502()
    {
        // A port that was just free: nothing listens there.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["OPENROUTER_API_BASE_URL"] = $"http://127.0.0.1:{port}/api/v1",
            ["OPENROUTER_API_KEY"] = "k",
        });
        using var client = gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("m"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_unreachable", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ResetBeforeHeaders_RetriedTransparently()
    {
        var (mock, gateway) = await StartAsync();
        await using var _ = mock;
        await using var __ = gateway;
        mock.ResetBeforeHeaders(1);
        using var client = gateway.CreateClient();

        using var response = await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Fixtures.Bytes("responses/stream-text-basic.sse"), bytes);
        Assert.Equal(2, mock.RequestsTo("/responses").Count);
    }

    [Fact]
    public async Task ClientDisconnects_UpstreamCancelledWithinOneSecond()
    {
        var (mock, gateway) = await StartAsync();
        await using var _ = mock;
        await using var __ = gateway;
        mock.Behavior.StallAfterEvents = 5;
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mock.ClientAborted += () => aborted.TrySetResult();
        // No response draining: disposing the response must close the connection at once, as a leaving client does.
        using var client = new HttpClient(new SocketsHttpHandler { ResponseDrainTimeout = TimeSpan.Zero, MaxResponseDrainSize = 0 }) { BaseAddress = gateway.BaseAddress };

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Body("mock/stream-text-basic") };
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        var watch = Stopwatch.StartNew();
        response.Dispose();

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"upstream cancelled after {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task OverConcurrencyLimit_503WithRetryAfter()
    {
        var (mock, gateway) = await StartAsync(("MAX_CONCURRENT_REQUESTS", "1"));
        await using var _ = mock;
        await using var __ = gateway;
        mock.Behavior.StallAfterEvents = 3;
        using var client = gateway.CreateClient();
        using var first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Body("mock/stream-text-basic") }, HttpCompletionOption.ResponseHeadersRead);

        using var second = await client.PostAsync("/v1/responses", Body("mock/stream-text-basic"));
        using var json = JsonDocument.Parse(await second.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("1", second.Headers.RetryAfter?.ToString());
        Assert.Equal("overloaded", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ShutdownDrain_EndsOpenStreamWithShuttingDownEvent()
    {
        var (mock, gateway) = await StartAsync(("SHUTDOWN_DRAIN_SECONDS", "0.3"));
        await using var _ = mock;
        mock.Behavior.StallAfterEvents = 6;
        using var client = gateway.CreateClient();
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Body("mock/stream-text-basic") }, HttpCompletionOption.ResponseHeadersRead);
        var reading = response.Content.ReadAsStringAsync();

        await gateway.StopAsync();
        var text = await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("shutting_down", DataEvents(text)[^1].GetProperty("code").GetString());
        Assert.EndsWith("data: [DONE]\n\n", text);
        await gateway.DisposeAsync();
    }
}
