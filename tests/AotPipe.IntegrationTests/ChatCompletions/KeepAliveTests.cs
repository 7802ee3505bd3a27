using System.Text;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.IntegrationTests.ChatCompletions;

[Collection(TimingCollection.Name)]
public sealed class KeepAliveTests
{
    [Fact]
    public async Task UpstreamSilentFor15Seconds_GatewaySendsKeepAliveComment()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mock = await MockOpenRouter.StartAsync();
        // The fixture opens with three keep-alives and three item events; stall after a few deltas.
        mock.Behavior.StallAfterEvents = 10;
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock), s => s.AddSingleton<TimeProvider>(time));
        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = ChatCompletionsTests.ChatBody("mock/stream-text-basic") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // Read until the stall: the first content delta has arrived and nothing more comes.
        while (!seen.ToString().Contains("\"content\":\"", StringComparison.Ordinal))
        {
            try
            {
                seen.Append(Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer, deadline.Token)));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("no content before the stall: " + seen);
            }
        }

        var before = seen.ToString();
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.DoesNotContain(": keep-alive", before[before.LastIndexOf("data:", StringComparison.Ordinal)..]);
        time.Advance(TimeSpan.FromSeconds(2));
        while (!seen.ToString()[before.Length..].Contains(": keep-alive\n\n", StringComparison.Ordinal))
        {
            seen.Append(Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer, deadline.Token)));
        }
    }
}
