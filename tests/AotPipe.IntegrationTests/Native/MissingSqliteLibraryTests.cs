using System.Net;
using AotPipe.TestKit;
using Xunit;

namespace AotPipe.IntegrationTests.Native;

/// <summary>The embedded store needs <c>libe_sqlite3.so</c> next to the binary. An operator who copies the binary alone
/// gets a gateway that serves without markers, says why in its log and on <c>/readyz</c>, and still stops cleanly.</summary>
public sealed class MissingSqliteLibraryTests
{
    [Fact]
    public async Task NativeBinary_CopiedWithoutItsSqliteLibrary_ServesNotReadyAndStopsCleanly()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        var alone = Directory.CreateTempSubdirectory("aotpipe-alone-").FullName;
        try
        {
            var binary = Path.Combine(alone, "aotpipe");
            File.Copy(NativeGateway.Binary!, binary); // keeps the mode bits
            Assert.False(File.Exists(Path.Combine(alone, "libe_sqlite3.so")));

            await using var gateway = await NativeGateway.StartAsync(new Dictionary<string, string>(), binary: binary);
            using var ready = await gateway.Client.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"initializing\"", await ready.Content.ReadAsStringAsync());
            Assert.Contains("DllNotFoundException", gateway.Output);

            Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
            Assert.DoesNotContain("Unhandled exception", gateway.Output);
        }
        finally
        {
            Directory.Delete(alone, recursive: true);
        }
    }
}
