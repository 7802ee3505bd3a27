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
}
