using System.Net;
using System.Text.Json;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

public sealed class TenantLimitTests
{
    [Fact]
    public async Task Concurrency_AtLimitAdmitted_OnePast429_OtherTenantUnaffected()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        mock.Behavior.HeadersDelay = TimeSpan.FromMinutes(5);
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock,
            ("AOTPIPE_API_KEYS", Keys), ("AOTPIPE_TENANT_MAX_CONCURRENT", "2")));
        using var client = gateway.CreateClient();
        using var hold = new CancellationTokenSource();

        // Two alpha requests are held by the mock before its response headers: alpha is exactly at its limit.
        var first = client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), AlphaKey), hold.Token);
        var second = client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), AlphaKey), hold.Token);
        await WaitForRequestsAsync(mock, 2);
        using var past = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), AlphaKey));
        using var json = JsonDocument.Parse(await past.Content.ReadAsStringAsync());
        mock.Behavior.HeadersDelay = TimeSpan.Zero;
        using var other = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic"), BetaKey));
        await hold.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        Assert.Equal(HttpStatusCode.TooManyRequests, past.StatusCode);
        Assert.Equal("rate_limit_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("rate_limited", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.True(past.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(3, mock.Requests.Count);
    }

    [Fact]
    public async Task RequestsPerMinute_AtLimitAdmitted_OnePast429_OtherTenantAndModelsUnaffected()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock,
            ("AOTPIPE_API_KEYS", Keys), ("AOTPIPE_TENANT_RPM", "3")));
        using var client = gateway.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var admitted = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic", stream: false), AlphaKey));
            statuses.Add(admitted.StatusCode);
        }

        using var past = await client.SendAsync(Post("/v1/chat/completions", ChatCompletions.ChatCompletionsTests.ChatBody("mock/stream-text-basic"), AlphaKey));
        using var json = JsonDocument.Parse(await past.Content.ReadAsStringAsync());
        using var other = await client.SendAsync(Post("/v1/responses", Responses.ResponsesRelayTests.Body("mock/stream-text-basic", stream: false), BetaKey));
        using var models = await client.SendAsync(Get("/v1/models", AlphaKey));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, past.StatusCode);
        Assert.Equal("rate_limited", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.True(past.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }
}
