using System.Net;
using System.Net.Sockets;
using AotPipe.TestKit;
using Xunit;

namespace AotPipe.IntegrationTests.Native;

/// <summary>A listen address the gateway cannot use as written stops start-up with exit 2 and one line naming the
/// setting, before anything listens; never an unhandled exception (exit 134) or a bind on other interfaces.</summary>
public sealed class ListenAddressTests
{
    private static readonly Dictionary<string, string> s_environment = new() { ["OPENROUTER_API_KEY"] = "sk-or-listen-test" };

    [Fact]
    public async Task NativeBinary_PortInUse_Exit2NamingTheAddress()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";

        var (exitCode, output) = await NativeGateway.RunToExitAsync(s_environment, TimeSpan.FromSeconds(30), url);

        Assert.Equal(2, exitCode);
        Assert.Contains("configuration error: --urls: cannot listen:", output, StringComparison.Ordinal);
        Assert.Contains(url, output, StringComparison.Ordinal);
        Assert.Contains("address already in use", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-or-listen-test", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:80O0", "has a port that is not a number")]
    [InlineData("127.0.0.1:8080", "is not a URL of the form http://host:port")]
    [InlineData("https://127.0.0.1:8443", "is not http://; the gateway speaks plain HTTP, so terminate TLS in front of it")]
    [InlineData("http://127.0.0.1:8080/gateway", "has a path")]
    [InlineData("http://127.0.0.1:65536", "has a port outside 0-65535")]
    public async Task NativeBinary_UnusableListenUrl_Exit2BeforeListening(string url, string reason)
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);

        var (exitCode, output) = await NativeGateway.RunToExitAsync(s_environment, TimeSpan.FromSeconds(30), url);

        Assert.Equal(2, exitCode);
        Assert.Contains("aotpipe: configuration error: --urls: listen address 1 of 1 " + reason, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Artifact store", output, StringComparison.Ordinal);
    }
}
