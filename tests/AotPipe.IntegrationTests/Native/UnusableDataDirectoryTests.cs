using System.Net;
using AotPipe.TestKit;
using Xunit;

namespace AotPipe.IntegrationTests.Native;

/// <summary>An <c>AOTPIPE_DATA_DIR</c> the embedded store cannot use: the gateway still serves, reports not ready, and
/// its log names the path that failed, so the operator can fix it.</summary>
public sealed class UnusableDataDirectoryTests
{
    [Fact]
    public async Task NativeBinary_DataDirectoryUnderAFile_NotReadyAndLogNamesThePath()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        var blocker = Path.GetTempFileName(); // a regular file: no directory can be created below it
        try
        {
            var dataDirectory = Path.Combine(blocker, "data");
            await using var gateway = await NativeGateway.StartAsync(new Dictionary<string, string> { ["AOTPIPE_DATA_DIR"] = dataDirectory });

            using var ready = await gateway.Client.GetAsync("/readyz");
            using var health = await gateway.Client.GetAsync("/healthz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Contains("Artifact store not initialised yet (", gateway.Output, StringComparison.Ordinal);
            Assert.Contains(blocker, gateway.Output, StringComparison.Ordinal);
            Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
