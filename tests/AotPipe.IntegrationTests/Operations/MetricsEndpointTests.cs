using System.Net;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

/// <summary>The instruments live on one process-wide meter, so these tests run alone (no other gateway's traffic).</summary>
[Collection(TimingCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task KnownSequence_ExactCountersTokensCostAndHistograms_NoUserIdsOrKeys()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys)));
        using var client = gateway.CreateClient();

        // 1 chat stream with usage (44 prompt, 83 completion tokens, cost 0.00003892) as alpha, from a named user.
        using var chat = Post("/v1/chat/completions", ChatCompletions.ChatCompletionsTests.ChatBody("mock/stream-text-basic"), AlphaKey);
        chat.Headers.Add("X-OpenWebUI-User-Id", "user-secret-4242");
        using var chatResponse = await client.SendAsync(chat);
        await chatResponse.Content.ReadAsStringAsync();

        // 1 request without a key, 1 responses stream as beta, 1 upstream 400 as beta.
        using var unauthorized = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), null));
        using var relayed = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), BetaKey));
        await relayed.Content.ReadAsStringAsync();
        mock.Behavior.FailWithStatus = 400;
        using var failed = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), BetaKey));
        mock.Behavior.FailWithStatus = null;

        using var metrics = await client.SendAsync(Get("/metrics", AlphaKey));
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chatResponse.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        Assert.Contains("aotpipe_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_requests_total{route=\"/v1/responses\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_requests_total{route=\"/v1/responses\",status=\"401\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_requests_total{route=\"/v1/responses\",status=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_tenant_requests_total{tenant=\"alpha\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_tenant_requests_total{tenant=\"beta\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_tenant_requests_total{tenant=\"default\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_auth_failures_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_tenant_tokens_total{tenant=\"alpha\",kind=\"prompt\"} 44\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_tenant_tokens_total{tenant=\"alpha\",kind=\"completion\"} 83\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_tenant_cost_usd_total{tenant=\"alpha\"} 3.892E-05\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_upstream_errors_total{class=\"status_4xx\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_time_to_first_event_seconds_count{route=\"/v1/chat/completions\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_stream_duration_seconds_count{route=\"/v1/chat/completions\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_stream_duration_seconds_count{route=\"/v1/responses\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_streams_in_flight 0\n", text, StringComparison.Ordinal);
        Assert.Contains("aotpipe_requests_in_flight 0\n", text, StringComparison.Ordinal);
        Assert.Matches("aotpipe_relayed_bytes_total\\{route=\"/v1/chat/completions\",direction=\"out\"\\} [1-9][0-9]*\n", text);
        Assert.DoesNotContain("user-secret-4242", text, StringComparison.Ordinal);
        Assert.DoesNotContain(AlphaKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(BetaKey, text, StringComparison.Ordinal);
    }
}
