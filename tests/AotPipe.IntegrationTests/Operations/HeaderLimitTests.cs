using System.Text;
using AotPipe.Hosting;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

public sealed class HeaderLimitTests
{
    private static string Request(IEnumerable<string> headerLines)
    {
        var text = new StringBuilder("GET /healthz HTTP/1.1\r\n");
        foreach (var line in headerLines)
        {
            text.Append(line).Append("\r\n");
        }

        return text.Append("\r\n").ToString();
    }

    [Fact]
    public async Task HeaderCount_AtLimit200_OnePast431()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock));
        IEnumerable<string> Headers(int count) => new[] { "Host: x" }.Concat(Enumerable.Range(1, count - 1).Select(i => $"X-H{i}: v"));

        var atLimit = await RawStatusLineAsync(gateway.BaseAddress, Request(Headers(OperationsServices.MaxRequestHeaderCount)));
        var pastLimit = await RawStatusLineAsync(gateway.BaseAddress, Request(Headers(OperationsServices.MaxRequestHeaderCount + 1)));

        Assert.StartsWith("HTTP/1.1 200", atLimit, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 431", pastLimit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadersTotalSize_AtLimit200_OnePast431()
    {
        await using var mock = await MockOpenRouter.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock));

        // Kestrel counts the header block's bytes: every "name: value\r\n" line; the blank line that ends the block is not counted.
        string[] Headers(int total) => ["Host: x", "X-Fill: " + new string('f', total - "Host: x\r\n".Length - "X-Fill: \r\n".Length)];

        var atLimit = await RawStatusLineAsync(gateway.BaseAddress, Request(Headers(OperationsServices.MaxRequestHeadersTotalBytes)));
        var pastLimit = await RawStatusLineAsync(gateway.BaseAddress, Request(Headers(OperationsServices.MaxRequestHeadersTotalBytes + 1)));

        Assert.StartsWith("HTTP/1.1 200", atLimit, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 431", pastLimit, StringComparison.Ordinal);
    }
}
