using AotPipe.Cli;
using AotPipe.Hosting;
using Xunit;

namespace AotPipe.Tests.Cli;

public sealed class GatewayCommandLineTests
{
    [Fact]
    public async Task Version_NamesTheVersionAndTheEdition()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await GatewayCommandLine.RunAsync(["--version"], TextReader.Null, Stream.Null, Stream.Null, stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal($"aotpipe {GatewayCommandLine.Version} ({BuildEdition.Description})", stdout.ToString().TrimEnd());
        // The test host runs the default build, so both optional subsystems are compiled in.
        Assert.Contains("full", BuildEdition.Description, StringComparison.Ordinal);
        Assert.Empty(stderr.ToString());
    }

    private const string PastedSecret = "sk-or-v1-0123456789abcdef0123456789abcdef";

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await GatewayCommandLine.RunAsync(args, TextReader.Null, Stream.Null, Stream.Null, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("config")]
    [InlineData("encrypt-secret")]
    [InlineData("redact")]
    [InlineData("rotate-artifact-key")]
    public async Task CommandWithoutArguments_GivenOne_UsageExit2_ArgumentNotEchoed(string command)
    {
        var (exit, stdout, stderr) = await RunAsync(command, PastedSecret);

        Assert.Equal(GatewayCommandLine.ExitUsage, exit);
        Assert.Empty(stdout);
        Assert.StartsWith($"usage: aotpipe {command} ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-or", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("/healthz")]
    [InlineData("127.0.0.1:8080")] // no scheme: parsed as scheme "127.0.0.1"
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://")]
    [InlineData("")]
    public async Task Healthcheck_UnusableUrl_UsageExit2_NotUnhealthy(string url)
    {
        var (exit, stdout, stderr) = await RunAsync("healthcheck", url);

        Assert.Equal(GatewayCommandLine.ExitUsage, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("usage: aotpipe healthcheck [URL]", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_TwoArguments_UsageExit2()
    {
        var (exit, _, stderr) = await RunAsync("healthcheck", "http://127.0.0.1:1", "extra");

        Assert.Equal(GatewayCommandLine.ExitUsage, exit);
        Assert.StartsWith("usage: aotpipe healthcheck", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_NothingListening_UnhealthyExit1()
    {
        // Port 1 on loopback: refused at once. A well-formed URL with no gateway behind it is a negative answer, not bad usage.
        var (exit, stdout, stderr) = await RunAsync("healthcheck", "http://127.0.0.1:1");

        Assert.Equal(GatewayCommandLine.ExitNegative, exit);
        Assert.StartsWith("unhealthy: ", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task Serve_UnknownArgument_UsageExit2_NamesPositionNotText()
    {
        var (exit, _, stderr) = await RunAsync("serve", "--urls", "http://127.0.0.1:0", PastedSecret);

        Assert.Equal(GatewayCommandLine.ExitUsage, exit);
        Assert.Contains("argument 3 is not --urls URL", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-or", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serv", true)]
    [InlineData("check-urls", true)]
    [InlineData(PastedSecret, false)]
    [InlineData("Bearer", false)]
    public async Task UnknownCommand_UsageExit2_EchoesOnlyACommandLikeWord(string command, bool echoed)
    {
        var (exit, stdout, stderr) = await RunAsync(command);

        Assert.Equal(GatewayCommandLine.ExitUsage, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("aotpipe: unknown command", stderr, StringComparison.Ordinal);
        Assert.Equal(echoed, stderr.Contains(command, StringComparison.Ordinal));
    }
}
