using AotPipe.TestKit;
using Xunit;

namespace AotPipe.Tests.Build;

/// <summary>
/// The code layout list the native publish follows (src/AotPipe.Server/method-order.txt, scripts/method-order.sh).
/// </summary>
/// <remarks>The compiler skips names it does not know without a word, so a broken list would only show as a larger idle
/// footprint; these checks catch the ways it can break before that.</remarks>
public sealed class MethodOrderFileTests
{

    private static string[] Lines() =>
        File.ReadAllLines(Repository.PathOf("src", "AotPipe.Server", "method-order.txt"));

    [Fact]
    public void ServerProject_PublishesWithTheList()
    {
        var project = File.ReadAllText(Repository.PathOf("src", "AotPipe.Server", "AotPipe.Server.csproj"));

        Assert.Contains("<IlcOrderFile Condition=\"'$(IlcOrderFile)' == ''\">$(MSBuildThisFileDirectory)method-order.txt</IlcOrderFile>", project, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryLine_IsOneSymbolName_ListedOnce()
    {
        var lines = Lines();

        Assert.All(lines, line =>
        {
            Assert.False(string.IsNullOrWhiteSpace(line));
            Assert.DoesNotContain(' ', line);
            Assert.DoesNotContain('\t', line);
            Assert.DoesNotContain('(', line);
        });
        Assert.Equal(lines.Length, lines.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("AotPipe_Core_AotPipe_Hosting_GatewayApplication__")]
    [InlineData("AotPipe_Core_AotPipe_Endpoints_ResponsesEndpoints__")]
    [InlineData("AotPipe_Core_AotPipe_Endpoints_ChatCompletionsEndpoints__")]
    [InlineData("AotPipe_Core_AotPipe_Streaming_SseFramer__")]
    [InlineData("Microsoft_AspNetCore_Server_Kestrel_Core_")]
    public void List_CoversStartUpAndTheRequestPath(string prefix) =>
        Assert.Contains(Lines(), line => line.StartsWith(prefix, StringComparison.Ordinal));
}
