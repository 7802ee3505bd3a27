using AotPipe.Cli;
using AotPipe.Security.Egress;
using AotPipe.Tests.Security.Egress;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Cli;

public sealed class CheckUrlCommandTests
{
    private static readonly EgressGuard s_guard = new(new EgressPolicy(new EgressOptions()), FakeHostResolver.CreateDefault(), new FakeTimeProvider());

    [Theory]
    [InlineData("https://public.example/a.png", "allow", 0)]
    [InlineData("https://localhost/", "block: localhost", 1)]
    [InlineData("https://private.example/", "block: private-address", 1)]
    [InlineData("http://public.example/", "block: insecure-http", 1)]
    [InlineData("https://fail.example/", "block: dns-failure", 1)]
    public async Task Url_PrintsVerdictAndExitCode(string url, string output, int exitCode)
    {
        using var stdout = new StringWriter();
        int code = await CheckUrlCommand.RunAsync(url, s_guard, stdout, TestContext.Current.CancellationToken);
        Assert.Equal(exitCode, code);
        Assert.Equal(output + Environment.NewLine, stdout.ToString());
    }

    [Fact]
    public async Task MissingUrl_IsUsageError()
    {
        using var stdout = new StringWriter();
        Assert.Equal(2, await CheckUrlCommand.RunAsync("", s_guard, stdout, TestContext.Current.CancellationToken));
    }
}
