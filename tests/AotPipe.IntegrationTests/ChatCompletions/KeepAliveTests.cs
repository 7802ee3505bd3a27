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
            seen.Append(await ReadSomeAsync(stream, buffer, deadline.Token, seen));
        }

        // The gateway re-arms its 15 s timer after each upstream read, which happens before the client sees that data;
        // advance the fake clock a second at a time until the comment arrives and check how much silence it took.
        var before = seen.Length;
        var advanced = TimeSpan.Zero;
        var read = stream.ReadAsync(buffer, deadline.Token).AsTask();
        while (advanced < TimeSpan.FromSeconds(60))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
            if (await Task.WhenAny(read, Task.Delay(100, deadline.Token)) == read)
            {
                Assert.True(await read > 0, "the stream ended early; received: " + seen);
                seen.Append(Encoding.UTF8.GetString(buffer, 0, await read));
                if (seen.ToString()[before..].Contains(": keep-alive\n\n", StringComparison.Ordinal))
                {
                    break;
                }

                read = stream.ReadAsync(buffer, deadline.Token).AsTask();
            }
        }

        Assert.Contains(": keep-alive\n\n", seen.ToString()[before..]);
        Assert.InRange(advanced, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(17));
    }

    /// <summary>One read; the stream must neither end nor stay silent past the deadline.</summary>
    private static async Task<string> ReadSomeAsync(Stream stream, byte[] buffer, CancellationToken deadline, StringBuilder seen)
    {
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, deadline);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("timed out; received so far: " + seen);
            throw;
        }

        Assert.True(read > 0, "the stream ended early; received: " + seen);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
